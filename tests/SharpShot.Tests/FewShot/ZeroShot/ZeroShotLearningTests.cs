using SharpShot.FewShot;
using SharpShot.Inference;
using SharpShot.Testing;
using SharpShot.Training;
using static TorchSharp.torch;

namespace SharpShot.Tests.FewShot.ZeroShot;

public class ZeroShotLearningTests
{
    private static readonly MetaLearnerOptions Options = new()
    {
        Algorithm = MetaAlgorithm.ProtoNet,
        Ways = 4,
        Shots = 2,
        Queries = 4,
        Steps = 300,
        LearningRate = 1e-2,
        Seed = 3,
        PrefetchDepth = 2,
    };

    [Fact]
    public void ClassesNeverTrainedOnAreRecognisedFromTheirDescriptions()
    {
        using var learner = new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), DescribedClasses.Attributes, Options);
        FewShotDataset unseen = DescribedClasses.Data(DescribedClasses.Unseen, 40, seed: 9);
        double before = learner.EvaluateZeroShot(unseen, episodes: 20, seed: 5).Accuracy;

        learner.MetaTrain(DescribedClasses.Data(DescribedClasses.Seen, 40, seed: 7));
        FewShotEvaluation after = learner.EvaluateZeroShot(unseen, episodes: 20, seed: 5);

        // Two unseen classes: chance is 50%. The untrained map places the prototypes anywhere.
        Assert.True(after.Accuracy >= 0.95, $"zero-shot accuracy after training {after.Accuracy:P1} (before {before:P1})");
    }

    [Fact]
    public void TheExportedEmbeddingAndMapFitDescriptionsInOnnxRuntimeAsTheLearnerDoes()
    {
        using var folder = new TempFolder();
        using var learner = new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), DescribedClasses.Attributes, Options with { Steps = 30 });
        learner.MetaTrain(DescribedClasses.Data(DescribedClasses.Seen, 20, seed: 7));
        string path = folder.File("embedding.onnx");
        learner.ExportOnnx(path);
        Assert.True(File.Exists(Path.Combine(folder.Path, "embedding.attributes.onnx")));

        float[] descriptions = DescribedClasses.Attributes.Vectors(DescribedClasses.Unseen);
        float[] expected;
        using (no_grad())
        {
            learner.AttributeMap!.eval();
            expected = learner.AttributeMap.forward(tensor(descriptions, [2, 4])).data<float>().ToArray();
        }

        using var classifier = FewShotClassifier.Load(path);
        Assert.True(classifier.SupportsDescriptions);
        Assert.Equal(DescribedClasses.AttributeNames, classifier.AttributeNames);
        float[] mapped = classifier.MapDescriptions(descriptions);
        Assert.Equal(expected.Length, mapped.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(mapped[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"value {i}: {mapped[i]} vs {expected[i]}");
        }

        // Fitted from descriptions alone, then a class from examples beside them.
        classifier.FitDescriptions(descriptions, DescribedClasses.Unseen);
        FewShotDataset seen = DescribedClasses.Data(["a"], 3, seed: 11);
        classifier.AddExamples(seen.Classes[0].Samples, ["a", "a", "a"]);
        Assert.Equal(["bc", "ad", "a"], classifier.Classes);
        Assert.Equal(mapped, classifier.GetPrototypes().AsSpan(0, mapped.Length).ToArray());
    }

    [Fact]
    public void ACheckpointKeepsTheMapAndResumesOnlyWithTheSameDescriptions()
    {
        using var folder = new TempFolder();
        string checkpoint = folder.File("zero-shot.ckpt");
        FewShotDataset train = DescribedClasses.Data(DescribedClasses.Seen, 20, seed: 7);
        MetaLearnerOptions options = Options with { Steps = 12, CheckpointEvery = 4 };

        using var unbroken = new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), DescribedClasses.Attributes, options);
        unbroken.MetaTrain(train);

        using (var first = new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), DescribedClasses.Attributes, options with { Steps = 8, CheckpointPath = checkpoint }))
        {
            first.MetaTrain(train);
        }

        using var resumed = new MetaLearner(new DescribedEmbedding(seed: 50), new FourAttributeMap(seed: 60), DescribedClasses.Attributes, options with { CheckpointPath = checkpoint });
        resumed.MetaTrain(train);
        AssertSameWeights(unbroken.AttributeMap!, resumed.AttributeMap!);
        AssertSameWeights(unbroken.Model, resumed.Model);

        var changed = new Dictionary<string, float[]>(DescribedClasses.Vectors) { ["a"] = [1, 0, 0, 0.5f] };
        using var other = new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), new ClassAttributes(DescribedClasses.AttributeNames, changed),
            options with { Steps = 16, CheckpointPath = checkpoint });
        Assert.Throws<CheckpointMismatchException>(() => other.MetaTrain(train));
    }

    [Fact]
    public void MistakesInTheSetUpAreNamed()
    {
        ClassAttributes attributes = DescribedClasses.Attributes;
        var maml = Assert.Throws<ArgumentException>(() => new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), attributes, Options with { Algorithm = MetaAlgorithm.Maml, Ways = 6 }));
        Assert.Contains("Prototypical Networks", maml.Message);
        var input = Assert.Throws<ArgumentException>(() => new MetaLearner(new DescribedEmbedding(seed: 1), new FiveAttributeMap(seed: 2), attributes, Options));
        Assert.Contains("4 attributes", input.Message);
        var output = Assert.Throws<ArgumentException>(() => new MetaLearner(new DescribedEmbedding(seed: 1), new WideAttributeMap(seed: 2), attributes, Options));
        Assert.Contains("7 values", output.Message);

        using var learner = new MetaLearner(new DescribedEmbedding(seed: 1), new FourAttributeMap(seed: 2), attributes, Options);
        FewShotDataset undescribed = DescribedClasses.Data(["a", "b"], 10, seed: 1).Where(_ => true);
        var renamed = new FewShotDataset([8], [.. undescribed.Classes, new FewShotClass("sandal", "", undescribed.Classes[0].Samples, 8)]);
        var train = Assert.Throws<ArgumentException>(() => learner.MetaTrain(renamed));
        Assert.Contains("'sandal'", train.Message);

        using var plain = new MetaLearner(new DescribedEmbedding(seed: 1), Options);
        Assert.Throws<InvalidOperationException>(() => plain.EvaluateZeroShot(DescribedClasses.Data(DescribedClasses.Unseen, 10, seed: 1), 1, 1));
    }

    private static void AssertSameWeights(SequentialModel expected, SequentialModel actual)
    {
        foreach ((Tensor a, Tensor b) in expected.FunctionalParameters().Zip(actual.FunctionalParameters()))
        {
            Assert.Equal(a.cpu().data<float>().ToArray(), b.cpu().data<float>().ToArray());
        }
    }
}
