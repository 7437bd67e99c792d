using System.Diagnostics;
using SharpShot.FewShot;
using SharpShot.Tests.FewShot.Episodes;
using SharpShot.Tests.Models;
using SharpShot.Tests.Training;
using SharpShot.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Proto = SharpShot.FewShot.ProtoNet;

namespace SharpShot.Tests.FewShot.ProtoNet;

[Collection(DeterministicTrainingCollection.Name)]
public class ProtoNetTests(ITestOutputHelper output)
{
    private static readonly FewShotDataset Train = FewShotTestData.Blobs(classes: 40, samplesPerClass: 20, seed: 1);
    private static readonly FewShotDataset Test = FewShotTestData.Blobs(classes: 15, samplesPerClass: 20, seed: 2, firstClass: 1000);

    private static readonly MetaLearnerOptions Quick = new()
    {
        Ways = 5,
        Shots = 1,
        Queries = 5,
        Steps = 30,
        LearningRate = 3e-3,
        Seed = 5,
        ProgressEvery = 10,
    };

    [Fact]
    public void LossOnAHandMadeEpisodeEqualsTheHandComputation()
    {
        // 2-D embeddings. Class 0: supports (0,0) and (2,0) → prototype (1,0). Class 1: (0,2) and (0,4) → (0,3).
        // Query (1,1): squared distances 1 and 5. Query (2,2): 5 and 5. Query (3,0): 4 and 18.
        using var scope = NewDisposeScope();
        Tensor support = tensor(new float[] { 0, 2, 2, 0, 0, 0, 0, 4 }, [4, 2]); // rows (0,2) (2,0) (0,0) (0,4): labels need not be grouped
        Tensor supportLabels = tensor(new long[] { 1, 0, 0, 1 });
        Tensor query = tensor(new float[] { 1, 1, 2, 2, 3, 0 }, [3, 2]);
        Tensor queryLabels = tensor(new long[] { 0, 1, 0 });

        Tensor logits = Proto.PrototypeLogits(support, supportLabels, query, ways: 2);
        Assert.Equal(new float[] { -1, -5, -5, -5, -4, -18 }, logits.data<float>().ToArray());

        double expected = (Math.Log(1 + Math.Exp(-4)) + Math.Log(2) + Math.Log(1 + Math.Exp(-14))) / 3;
        double loss = nn.functional.cross_entropy(logits, queryLabels).item<float>();
        Assert.Equal(expected, loss, 6);
    }

    [Fact]
    public void EpisodeLogitsEmbedSupportAndQueriesInOnePass()
    {
        // OnlyFlatten's embedding is the sample itself: the same hand-made problem, as an episode of 2×5×3 samples.
        var model = new OnlyFlatten();
        float[] Point(float a, float b)
        {
            var sample = new float[30];
            (sample[0], sample[1]) = (a, b);
            return sample;
        }

        float[] samples = [.. Point(0, 2), .. Point(2, 0), .. Point(0, 0), .. Point(0, 4), .. Point(1, 1), .. Point(2, 2)];
        var episode = new Episode(0, [2, 5, 3], ways: 2, shots: 2, queries: 1, samples, [1, 0, 0, 1], [0, 1], ["a", "b"]);
        using var scope = NewDisposeScope();
        Tensor logits = Proto.EpisodeLogits(model, episode);
        Assert.Equal(new long[] { 2, 2 }, logits.shape);
        Assert.Equal(new float[] { -1, -5, -5, -5 }, logits.data<float>().ToArray());
    }

    [Fact]
    public void PrototypeLogitsRejectsBadLabels()
    {
        using var scope = NewDisposeScope();
        Tensor support = zeros(4, 3);
        Tensor query = zeros(2, 3);
        var missing = Assert.Throws<ArgumentException>(() => Proto.PrototypeLogits(support, tensor(new long[] { 0, 0, 2, 2 }), query, 3));
        Assert.Contains("class 1 has none", missing.Message);
        Assert.Throws<ArgumentException>(() => Proto.PrototypeLogits(support, tensor(new long[] { 0, 1, 2, 3 }), query, 3));
        Assert.Throws<ArgumentException>(() => Proto.PrototypeLogits(support, tensor(new long[] { 0, 1 }), query, 2));
        Assert.Throws<ArgumentException>(() => Proto.PrototypeLogits(support, tensor(new long[] { 0, 1, 0, 1 }), zeros(2, 4), 2));
    }

    [Fact]
    public void MetaTrainingLiftsAccuracyOnUnseenClassesWellAboveChance()
    {
        var model = new TinyEmbedding(seed: 3);
        FewShotEvaluation before = Evaluate(model, ways: 5, shots: 1, queries: 5, episodes: 100, seed: 9);
        var reports = new List<MetaTrainingProgress>();
        MetaTrainingHistory history = MetaTrain(model, Train, Quick with
        {
            Steps = 150,
            ValidationData = Test,
            ValidationEvery = 50,
            ValidationEpisodes = 20,
        }, reports.Add);
        FewShotEvaluation after = Evaluate(model, ways: 5, shots: 1, queries: 5, episodes: 100, seed: 9);
        output.WriteLine($"5-way 1-shot on unseen classes: before {before}, after {after}; last 100 training episodes {history.Accuracy:P1}; {history.EpisodesPerSecond:F0} episodes/s");

        Assert.True(after.Accuracy > 0.7 && after.Accuracy > before.Accuracy + 0.2, $"before {before}, after {after}");
        Assert.Equal(150, history.Steps);
        Assert.Equal(new[] { 50, 100, 150 }, history.Validations.Select(v => v.Step));
        Assert.True(history.Validations[^1].Evaluation.Accuracy > history.Validations[0].Evaluation.Accuracy - 0.1);
        Assert.False(model.training);
    }

    [Fact]
    public void ProgressReportsPaceRemainingTimeValidationAndTheHalvingSchedule()
    {
        var reports = new List<MetaTrainingProgress>();
        var model = new TinyEmbedding(seed: 1);
        MetaTrain(model, Train, Quick with
        {
            Steps = 25,
            ProgressEvery = 1,
            LearningRate = 1e-3,
            LearningRateHalvingEvery = 10,
            ValidationData = Test,
            ValidationEvery = 10,
            ValidationEpisodes = 5,
        }, reports.Add);

        Assert.Equal(Enumerable.Range(1, 25), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.EpisodesPerSecond > 0 && r.Remaining >= TimeSpan.Zero && r.Loss > 0 && r.Accuracy is >= 0 and <= 1));
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
        Assert.Equal(new[] { 10, 20, 25 }, reports.Where(r => r.Validated).Select(r => r.Step));
        Assert.Null(reports[8].LastValidation);
        Assert.Equal(20, reports[21].LastValidation!.Step);
        Assert.Equal(5, reports[21].LastValidation!.Evaluation.Episodes);
        Assert.Equal(1e-3, reports[9].LearningRate);   // episode 10
        Assert.Equal(5e-4, reports[10].LearningRate);  // episode 11
        Assert.Equal(2.5e-4, reports[24].LearningRate); // episode 25
    }

    [Fact]
    public void ResumedRunEndsWithTheSameWeightsAsAnUnbrokenOne()
    {
        using var temp = new TempFolder();
        MetaLearnerOptions options = Quick with
        {
            Steps = 30,
            CheckpointEvery = 10,
            LearningRateHalvingEvery = 12,
            Transform = new RotateClasses(),
            ValidationData = Test,
            ValidationEvery = 8,
            ValidationEpisodes = 4,
        };

        var unbroken = new TinyEmbedding(seed: 4);
        MetaTrainingHistory full = MetaTrain(unbroken, Train, options);

        // Interrupted at episode 17 (between checkpoints): cancelling writes a checkpoint for the episodes done.
        string checkpoint = temp.File("meta.ckpt");
        var interrupted = new TinyEmbedding(seed: 4);
        using var crash = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => MetaTrain(interrupted, Train, options with { CheckpointPath = checkpoint, ProgressEvery = 1 },
            p => { if (p.Step == 17) crash.Cancel(); }, crash.Token));

        // A fresh process starts from a freshly initialized model; the checkpoint restores the rest.
        var resumed = new TinyEmbedding(seed: 99);
        MetaTrainingHistory rest = MetaTrain(resumed, Train, options with { CheckpointPath = checkpoint });

        Assert.Equal(17, rest.ResumedAt);
        Assert.Equal(30, rest.Steps);
        Assert.Equal(State(unbroken), State(resumed)); // weights and batch-norm statistics, bit for bit
        Assert.Equal(full.Validations, rest.Validations);

        // Training on with a higher episode count continues from the final checkpoint too.
        var longer = new TinyEmbedding(seed: 5);
        MetaTrainingHistory more = MetaTrain(longer, Train, options with { CheckpointPath = checkpoint, Steps = 35 });
        Assert.Equal((30, 35), (more.ResumedAt, more.Steps));
        var straight = new TinyEmbedding(seed: 4);
        MetaTrain(straight, Train, options with { Steps = 35 });
        Assert.Equal(State(straight), State(longer));
    }

    [Fact]
    public void CheckpointOfAnotherRunIsRefused()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("meta.ckpt");
        MetaTrain(new TinyEmbedding(seed: 1), Train, Quick with { Steps = 3, CheckpointPath = checkpoint });
        Assert.True(File.Exists(checkpoint));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));

        var error = Assert.Throws<CheckpointMismatchException>(() =>
            MetaTrain(new TinyEmbedding(seed: 1), Train, Quick with { Steps = 6, Ways = 4, CheckpointPath = checkpoint }));
        Assert.Contains("ways 5 there, 4 now", error.Message);

        File.WriteAllBytes(checkpoint, "SHARPSHOT-CKPT-1 and so on"u8.ToArray());
        error = Assert.Throws<CheckpointMismatchException>(() =>
            MetaTrain(new TinyEmbedding(seed: 1), Train, Quick with { Steps = 6, CheckpointPath = checkpoint }));
        Assert.Contains("supervised", error.Message);
    }

    [Fact]
    public void EvaluationIsReproducibleLeavesTheModelUnchangedAndReportsTheInterval()
    {
        var model = new TinyEmbedding(seed: 2);
        MetaTrain(model, Train, Quick with { Steps = 20 });
        float[] state = State(model);
        FewShotEvaluation first = Evaluate(model, ways: 5, shots: 2, queries: 3, episodes: 40, seed: 1);
        FewShotEvaluation again = Evaluate(model, ways: 5, shots: 2, queries: 3, episodes: 40, seed: 1);

        Assert.Equal(first, again);
        Assert.Equal(40, first.Episodes);
        Assert.InRange(first.Accuracy, 0, 1);
        Assert.True(first.ConfidenceInterval95 > 0 && first.Loss > 0);
        Assert.Equal(state, State(model)); // eval mode: batch-norm statistics untouched
        Assert.False(model.training);
    }

    [Fact]
    public void ConfidenceIntervalIsTheNormalHalfWidthOfTheMean()
    {
        double[] accuracies = [0.6, 0.8, 1.0, 0.8];
        FewShotEvaluation result = FewShotEvaluation.FromEpisodes(accuracies, [1.0, 2.0, 3.0, 2.0]);
        double std = Math.Sqrt(((0.2 * 0.2) + 0 + (0.2 * 0.2) + 0) / 3); // sample standard deviation, n − 1
        Assert.Equal(0.8, result.Accuracy, 12);
        Assert.Equal(1.96 * std / Math.Sqrt(4), result.ConfidenceInterval95, 12);
        Assert.Equal(2.0, result.Loss, 12);
        Assert.Equal(4, result.Episodes);
        Assert.True(double.IsNaN(FewShotEvaluation.FromEpisodes([0.5], [1.0]).ConfidenceInterval95));
        Assert.Equal(0, FewShotEvaluation.FromEpisodes([0.5, 0.5], [1.0, 1.0]).ConfidenceInterval95);
        Assert.Throws<ArgumentException>(() => FewShotEvaluation.FromEpisodes([], []));
    }

    [Fact]
    public void NonFiniteLossStopsMetaTrainingBeforeTheStep()
    {
        var poisoned = new FewShotDataset(Train.SampleShape, Train.Classes.Select(c => new FewShotClass(c.Name, c.Group, c.Samples.Select(_ => float.NaN).ToArray(), c.SampleLength)).ToArray());
        var model = new TinyEmbedding(seed: 1);
        float[] before = State(model);
        var error = Assert.Throws<TrainingDivergedException>(() => MetaTrain(model, poisoned, Quick));
        Assert.Equal(1, error.Batch);
        Assert.True(double.IsNaN(error.Loss));
        Assert.Equal(before.Where((_, i) => i < ParameterValues(model)), State(model).Where((_, i) => i < ParameterValues(model))); // no step taken
    }

    [Fact]
    public void BadSettingsAreRejectedClearly()
    {
        var model = new TinyEmbedding(seed: 1);
        Assert.Throws<ArgumentException>(() => MetaTrain(model, Train, Quick with { Ways = 1 }));
        Assert.Throws<ArgumentException>(() => MetaTrain(model, Train, Quick with { Queries = 0 }));
        Assert.Throws<ArgumentException>(() => MetaTrain(model, Train, Quick with { LearningRate = double.NaN }));
        var tooMany = Assert.Throws<ArgumentException>(() => MetaTrain(model, Train, Quick with { Ways = 41 }));
        Assert.Contains("has 40", tooMany.Message);
        var tooSmall = Assert.Throws<ArgumentException>(() => MetaTrain(model, Train, Quick with { Shots = 10, Queries = 11 }));
        Assert.Contains("draws 21", tooSmall.Message);
        var shape = Assert.Throws<ArgumentException>(() => MetaTrain(new ConvFourEmbedding(seed: 1), Train, Quick));
        Assert.Contains("[1, 28, 28]", shape.Message);
        Assert.Contains("[1, 8, 8]", shape.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluate(model, ways: 1, shots: 1, queries: 1, episodes: 1, seed: 0));
    }

    [Fact]
    public void NativeMemoryStaysFlatOverManyEpisodes()
    {
        var model = new TinyEmbedding(seed: 1);
        MetaLearnerOptions options = Quick with { Steps = 150, ValidationData = Test, ValidationEvery = 50, ValidationEpisodes = 10 };
        MetaTrain(model, Train, options); // warm-up: allocator pools and JIT settle
        long before = ResidentBytes();
        for (int i = 0; i < 8; i++)
        {
            MetaTrain(model, Train, options with { Seed = i }); // 8 × 150 = 1,200 more episodes, 24 validations
        }

        long growth = ResidentBytes() - before;
        output.WriteLine($"resident memory grew by {growth >> 20} MiB over 1,200 episodes");
        Assert.True(growth < 48L << 20, $"resident memory grew by {growth >> 20} MiB over 1,200 episodes");
    }

    /// <summary>Meta-trains <paramref name="model"/> with Prototypical Networks through the one entry point users have.</summary>
    private static MetaTrainingHistory MetaTrain(
        SequentialModel model, FewShotDataset data, MetaLearnerOptions options, Action<MetaTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var learner = new MetaLearner(model, options with { Algorithm = MetaAlgorithm.ProtoNet });
        return learner.MetaTrain(data, progress, cancellationToken);
    }

    /// <summary>Nearest-prototype accuracy on <see cref="Test"/>, through <see cref="MetaLearner.Evaluate(FewShotDataset, int, int, int?, int?, int?, int?)"/>.</summary>
    private static FewShotEvaluation Evaluate(SequentialModel model, int ways, int shots, int queries, int episodes, int seed)
    {
        using var learner = new MetaLearner(model, Quick);
        return learner.Evaluate(Test, episodes, seed, ways, shots, queries);
    }

    /// <summary>Parameters, then buffers (batch-norm statistics), as one array.</summary>
    private static float[] State(SequentialModel model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().Select(p => p.detach())
            .Concat(model.buffers().Select(b => b.to(ScalarType.Float32)))
            .SelectMany(t => t.contiguous().data<float>().ToArray()).ToArray();
    }

    private static int ParameterValues(SequentialModel model) => (int)model.parameters().Sum(p => p.numel());

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
