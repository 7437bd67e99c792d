using SharpShot.FewShot;
using SharpShot.Tests.FewShot.Episodes;
using SharpShot.Tests.Models;
using SharpShot.Tests.Training;
using SharpShot.Testing;
using SharpShot.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SharpShot.Tests.FewShot.MetaLearning;

/// <summary>
/// Meta-training checkpoints in format 2: a damaged one is refused before anything is loaded (the learner keeps its
/// weights and batch-norm statistics bit for bit), a run shorter than its checkpoint is refused, and the best
/// validation's checkpoint is written beside it.
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class MetaCheckpointFormatTests(ITestOutputHelper output)
{
    private static readonly FewShotDataset Train = FewShotTestData.Blobs(classes: 40, samplesPerClass: 20, seed: 1);

    private static readonly MetaLearnerOptions ProtoNet = new()
    {
        Algorithm = MetaAlgorithm.ProtoNet,
        Ways = 5,
        Shots = 1,
        Queries = 5,
        Steps = 12,
        CheckpointEvery = 5,
        LearningRate = 3e-3,
        Seed = 5,
    };

    private static readonly MetaLearnerOptions Regression = new()
    {
        Algorithm = MetaAlgorithm.Maml,
        Task = MetaTaskKind.Regression,
        Shots = 5,
        Queries = 10,
        MetaBatch = 2,
        Steps = 24,
        LearningRate = 3e-2,
        ValidationEvery = 3,
        ValidationEpisodes = 4,
        Seed = 2,
    };

    [Fact]
    public void AProtoNetCheckpointWithTwentyFlippedBytesIsRefusedAndTheLearnerIsUntouched()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("meta.ckpt");
        using (var first = new MetaLearner(new TinyEmbedding(seed: 1), ProtoNet with { CheckpointPath = checkpoint }))
        {
            first.MetaTrain(Train);
        }

        byte[] bytes = File.ReadAllBytes(checkpoint);
        var random = new Random(20);
        foreach (int offset in Enumerable.Range(0, 20).Select(_ => random.Next(bytes.Length)))
        {
            bytes[offset] ^= (byte)random.Next(1, 256);
        }

        File.WriteAllBytes(checkpoint, bytes);
        var model = new TinyEmbedding(seed: 9);
        float[] before = State(model);
        using var learner = new MetaLearner(model, ProtoNet with { CheckpointPath = checkpoint });
        var error = Assert.Throws<CheckpointCorruptException>(() => learner.MetaTrain(Train));
        output.WriteLine(error.Message);
        Assert.Equal(before, State(model));
        Assert.Equal(checkpoint + ".previous", error.PreviousCheckpoint); // the step-10 checkpoint, replaced by step 12's
        Assert.True(error.PreviousIsIntact);
    }

    [Fact]
    public void MetaTrainingForFewerStepsThanTheCheckpointHasIsRefused()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("meta.ckpt");
        using (var first = new MetaLearner(new TinyRegressor(seed: 1), Regression with { Steps = 6, CheckpointPath = checkpoint }))
        {
            first.MetaTrain(new SinusoidTasks());
        }

        var model = new TinyRegressor(seed: 1);
        float[] before = TrainerTests.Weights(model);
        using var learner = new MetaLearner(model, Regression with { Steps = 4, CheckpointPath = checkpoint });
        var error = Assert.Throws<CheckpointMismatchException>(() => learner.MetaTrain(new SinusoidTasks()));
        Assert.Contains("6 steps done", error.Message);
        Assert.Contains("asks for 4", error.Message);
        Assert.Equal(before, TrainerTests.Weights(model));
    }

    [Fact]
    public void TheBestValidationIsWrittenBesideTheCheckpointAndLoadsIntoANewLearner()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("meta.ckpt");
        var model = new TinyRegressor(seed: 1);
        MetaTrainingHistory history;
        using (var learner = new MetaLearner(model, Regression with { CheckpointPath = checkpoint }))
        {
            history = learner.MetaTrain(new SinusoidTasks());
        }

        // Regression: the lowest validation loss (ties: the earliest).
        MetaValidationResult best = history.Validations.OrderBy(v => v.Evaluation.Loss).First();
        output.WriteLine($"validation loss by step: {string.Join(", ", history.Validations.Select(v => $"{v.Step}: {v.Evaluation.Loss:F4}"))}; best at step {best.Step}");
        string bestPath = temp.File("meta.best.ckpt");
        Assert.True(File.Exists(bestPath));

        var loaded = new TinyRegressor(seed: 50);
        using (var learner = new MetaLearner(loaded, Regression))
        {
            learner.LoadCheckpointWeights(bestPath);
        }

        var reference = new TinyRegressor(seed: 1);
        using (var learner = new MetaLearner(reference, Regression with { Steps = best.Step }))
        {
            learner.MetaTrain(new SinusoidTasks());
        }

        Assert.Equal(TrainerTests.Weights(reference), TrainerTests.Weights(loaded));
        Assert.Equal(best.Step == history.Steps, TrainerTests.Weights(model).SequenceEqual(TrainerTests.Weights(loaded)));
    }

    private static float[] State(SequentialModel model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().Select(p => p.detach())
            .Concat(model.buffers().Select(b => b.to(ScalarType.Float32)))
            .SelectMany(t => t.contiguous().data<float>().ToArray()).ToArray();
    }
}
