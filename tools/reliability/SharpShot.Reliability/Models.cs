using SharpShot.Data;
using SharpShot.FewShot;
using SharpShot.Training;

namespace SharpShot.Reliability;

/// <summary>A conv block of the few-shot nets: 16 channels, batch norm, ReLU, 2×2 max pooling.</summary>
[Block]
[Conv2d(16, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
public partial class SmallBlock;

/// <summary>The Prototypical Networks embedding: two 16-channel conv blocks on 28×28 glyphs → 16×7×7 values.</summary>
[Model(1, 28, 28)]
[Repeat(typeof(SmallBlock), 2), Flatten]
public partial class SmallEmbedding;

/// <summary>The MAML-family classifier: the same two conv blocks and a 5-way head.</summary>
[Model(1, 28, 28)]
[Repeat(typeof(SmallBlock), 2), Flatten, Dense(5)]
public partial class SmallMetaClassifier;

/// <summary>The supervised net: a small CNN with dropout (so a resume must also restore the dropout stream) over 10 classes.</summary>
[Model(1, 28, 28)]
[Conv2d(8, 3), Relu, MaxPool2d(2), Flatten, Dense(32), Relu, Dropout(0.25), Dense(10), Softmax]
[Train(Epochs = 10, BatchSize = 32, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3)]
public partial class SmallCnn;

/// <summary>What a workload trains: supervised <c>Fit</c>, or meta-training with one algorithm.</summary>
internal sealed record Workload(string Name, MetaAlgorithm? Algorithm)
{
    /// <summary>Every workload name the options accept: <c>supervised</c> and each algorithm, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["supervised", .. Enum.GetValues<MetaAlgorithm>().Select(a => a.ToString().ToLowerInvariant())];

    /// <summary>Parses a workload name.</summary>
    /// <exception cref="UsageException">The name is none of <see cref="Names"/>.</exception>
    public static Workload Parse(string name)
    {
        if (name == "supervised")
        {
            return new Workload(name, null);
        }
        if (Enum.TryParse(name, ignoreCase: true, out MetaAlgorithm algorithm) && Enum.IsDefined(algorithm))
        {
            return new Workload(name.ToLowerInvariant(), algorithm);
        }
        throw new UsageException($"Unknown workload '{name}'; expected one of {string.Join(", ", Names)}.");
    }
}

/// <summary>The seeded data and models every command uses, so two processes build exactly the same run.</summary>
internal static class Fixtures
{
    /// <summary>Supervised training data: generated 28×28 images of 10 classes (no dataset files).</summary>
    public static Dataset SupervisedData(int count) => SyntheticImages.Generate(count, testCount: 10, seed: 3).Train;

    /// <summary>Meta-training data: generated 28×28 glyphs, 40 classes of 10 samples.</summary>
    public static FewShotDataset Glyphs() => SyntheticGlyphs.Generate(40, samplesPerClass: 10, size: 28, seed: 5, groups: 4);

    /// <summary>The small configuration: 5-way 1-shot, 5 queries per class, meta-batch 4 (1 for ProtoNet), Adam 10⁻³.</summary>
    public static MetaLearnerOptions MetaOptions(MetaAlgorithm algorithm, int steps) => new()
    {
        Algorithm = algorithm,
        Ways = 5,
        Shots = 1,
        Queries = 5,
        MetaBatch = algorithm == MetaAlgorithm.ProtoNet ? 1 : 4,
        Steps = steps,
        Seed = 17,
        ProgressEvery = 1,
    };

    /// <summary>A fresh, seeded learner for <paramref name="algorithm"/>: the embedding for ProtoNet, the 5-way classifier otherwise.</summary>
    public static MetaLearner Learner(MetaAlgorithm algorithm, MetaLearnerOptions options) =>
        new(algorithm == MetaAlgorithm.ProtoNet ? new SmallEmbedding(seed: 7) : new SmallMetaClassifier(seed: 7), options);
}
