using SharpShot.Data;
using SharpShot.FewShot;
using SharpShot.Training;

namespace SharpShot.Fuzz.Tests;

/// <summary>The supervised net whose checkpoints the fuzzer mutates: small, so that loading one takes a millisecond.</summary>
[Model(1, 8, 8)]
[Conv2d(2, 3), BatchNorm2d, Relu, Flatten, Dense(3)]
[Train(Epochs = 1, BatchSize = 4, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3)]
public partial class FuzzNet;

/// <summary>
/// Checkpoints, both kinds: seeds written by a real <c>Fit</c> and <c>MetaTrain</c>; an input is read as a user's program
/// would meet it — loaded into a model (<c>LoadCheckpointWeights</c>), then resumed from (<c>Fit</c> / <c>MetaTrain</c> with
/// it as the checkpoint, which also reads the run's identity, the optimizer state and the native settings). The repair
/// recomputes the SHA-256, so that half the mutations reach the header and the tensor table past the checksum.
/// </summary>
internal static class CheckpointFormat
{
    /// <summary>The format's entry in <see cref="Formats.All"/>.</summary>
    // Resuming from weights the mutation made NaN or huge stops at the first step, as documented (TrainingDivergedException).
    public static FuzzFormat Format { get; } = new("checkpoint", Seeds, Read, [typeof(CheckpointMismatchException), typeof(TrainingDivergedException)], RepairChecksum);

    private static Dataset Data => SyntheticImages.Generate(8, testCount: 4, seed: 2, classes: 3, size: 8).Train;

    private static TrainingOptions Training(FuzzNet net, string path) => net.TrainingDefaults with { Seed = 1, CheckpointPath = path };

    private static MetaLearnerOptions Meta(string path) => new()
    {
        Algorithm = MetaAlgorithm.Maml, Ways = 3, Shots = 1, Queries = 1, MetaBatch = 1, Steps = 2, Seed = 3,
        CheckpointPath = path, CheckpointEvery = 1,
    };

    private static FewShotDataset Glyphs => SyntheticGlyphs.Generate(4, samplesPerClass: 2, size: 8, seed: 4);

    private static IReadOnlyList<byte[]> Seeds()
    {
        string folder = Directory.CreateTempSubdirectory("sharpshot-fuzz-checkpoint-").FullName;
        try
        {
            string supervised = Path.Combine(folder, "fit.ckpt"), meta = Path.Combine(folder, "meta.ckpt");
            using (var net = new FuzzNet(seed: 5))
            {
                net.Fit(Data, options: Training(net, supervised));
            }

            using (var net = new FuzzNet(seed: 6))
            using (var learner = new MetaLearner(net, Meta(meta)))
            {
                learner.MetaTrain(Glyphs);
            }

            return [File.ReadAllBytes(supervised), File.ReadAllBytes(meta)];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Read(byte[] input, string work)
    {
        string path = Path.Combine(work, "run.ckpt");
        Directory.CreateDirectory(work);
        File.WriteAllBytes(path, input);
        File.Delete(path + ".previous");
        using var net = new FuzzNet(seed: 7);
        if (input.AsSpan().StartsWith("SHARPSHOT-META"u8))
        {
            using var learner = new MetaLearner(net, Meta(path));
            learner.LoadCheckpointWeights(path);
            learner.MetaTrain(Glyphs);
        }
        else
        {
            net.LoadCheckpointWeights(path);
            net.Fit(Data, options: Training(net, path));
        }
    }

    /// <summary>A copy with the SHA-256 written anew where the format keeps it (<see cref="CheckpointChecksum"/>).</summary>
    private static byte[] RepairChecksum(byte[] file)
    {
        byte[] repaired = (byte[])file.Clone();
        CheckpointChecksum.WriteInto(repaired);
        return repaired;
    }
}
