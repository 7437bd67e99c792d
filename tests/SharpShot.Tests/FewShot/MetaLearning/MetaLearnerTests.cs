using SharpShot.FewShot;
using SharpShot.Tests.FewShot.Episodes;
using SharpShot.Tests.Models;
using SharpShot.Tests.Training;
using SharpShot.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SharpShot.Tests.FewShot.MetaLearning;

/// <summary>
/// Each algorithm's meta-update on a tiny regression problem against the same update written out by hand, plus
/// learning, evaluation, adaptation, checkpoint and argument checks.
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class MetaLearnerTests(ITestOutputHelper output)
{
    private const double InnerRate = 0.1;
    private const int InnerSteps = 2;
    private static readonly SinusoidTasks Sinusoids = new();
    // Blobs with mild nuisance: a few hundred tasks show learning; the ProtoNet tests use the hard version.
    private static readonly FewShotDataset Train = FewShotTestData.Blobs(classes: 40, samplesPerClass: 20, seed: 1, nuisance: 0.5f);
    private static readonly FewShotDataset Test = FewShotTestData.Blobs(classes: 15, samplesPerClass: 20, seed: 2, firstClass: 1000, nuisance: 0.5f);

    private static readonly MetaLearnerOptions OneRegressionStep = new()
    {
        Task = MetaTaskKind.Regression,
        Shots = 5,
        Queries = 7,
        InnerSteps = InnerSteps,
        InnerLearningRate = InnerRate,
        MetaBatch = 1,
        Steps = 1,
        Seed = 3,
    };

    [Theory]
    [InlineData(MetaAlgorithm.Maml, true)]
    [InlineData(MetaAlgorithm.FoMaml, false)]
    public void MamlMetaGradientIsTheQueryGradientThroughTheInnerLoop(MetaAlgorithm algorithm, bool secondOrder)
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 1);
        Tensor[] start = Snapshot(model);
        RegressionEpisode episode = Sinusoids.Episode(3, 0, 5, 7);
        Tensor[] expected = HandMetaGradient(model, start, [episode], secondOrder, headOnly: false, rates: null).Gradients;
        Tensor[] other = HandMetaGradient(model, start, [episode], !secondOrder, headOnly: false, rates: null).Gradients;

        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = algorithm });
        learner.MetaTrain(Sinusoids);

        AssertClose(expected, Gradients(model));
        // The two orders really differ here, so the comparison above tells them apart.
        Assert.True(Distance(expected, other) > 1e-3, $"first- and second-order gradients nearly equal: {Distance(expected, other):E2}");
    }

    [Theory]
    [InlineData(MetaAlgorithm.Maml, true)]
    [InlineData(MetaAlgorithm.FoMaml, false)]
    public void MultiStepLossMetaGradientAveragesTheQueryLossesAfterEveryInnerStep(MetaAlgorithm algorithm, bool secondOrder)
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 4);
        Tensor[] start = Snapshot(model);
        RegressionEpisode episode = Sinusoids.Episode(3, 0, 5, 7);
        Tensor[] expected = HandMetaGradient(model, start, [episode], secondOrder, headOnly: false, rates: null, stepWeights: [1, 1]).Gradients;
        Tensor[] lastStepOnly = HandMetaGradient(model, start, [episode], secondOrder, headOnly: false, rates: null).Gradients;

        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = algorithm, MultiStepLoss = true });
        learner.MetaTrain(Sinusoids);

        AssertClose(expected, Gradients(model));
        Assert.True(Distance(expected, lastStepOnly) > 1e-3, $"multi-step and last-step gradients nearly equal: {Distance(expected, lastStepOnly):E2}");
    }

    [Fact]
    public void MultiStepLossWeightsWeighTheQueryLossAfterEachInnerStep()
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 5);
        Tensor[] start = Snapshot(model);
        RegressionEpisode episode = Sinusoids.Episode(3, 0, 5, 7);
        Tensor[] expected = HandMetaGradient(model, start, [episode], secondOrder: true, headOnly: false, rates: null, stepWeights: [3, 1]).Gradients;
        Tensor[] equal = HandMetaGradient(model, start, [episode], secondOrder: true, headOnly: false, rates: null, stepWeights: [1, 1]).Gradients;

        // Weights are relative: 6 and 2 weigh the steps as 3/4 and 1/4.
        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.Maml, MultiStepLoss = true, MultiStepLossWeights = [6, 2] });
        learner.MetaTrain(Sinusoids);

        AssertClose(expected, Gradients(model));
        Assert.True(Distance(expected, equal) > 1e-3, $"weighted and equal multi-step gradients nearly equal: {Distance(expected, equal):E2}");
    }

    [Theory]
    [InlineData(false, new[] { 1.0, 1.0, 1.0 }, "MultiStepLossWeights needs MultiStepLoss = true.")]
    [InlineData(true, new[] { 1.0, 1.0 }, "MultiStepLossWeights needs one weight per inner step (3); got 2.")]
    [InlineData(true, new[] { 1.0, -1.0, 1.0 }, "MultiStepLossWeights must be non-negative finite numbers, not all zero; got 1, -1, 1.")]
    [InlineData(true, new[] { 0.0, 0.0, 0.0 }, "MultiStepLossWeights must be non-negative finite numbers, not all zero; got 0, 0, 0.")]
    [InlineData(true, new[] { 1.0, double.NaN, 1.0 }, "MultiStepLossWeights must be non-negative finite numbers, not all zero; got 1, NaN, 1.")]
    public void MultiStepLossWeightsAreCheckedAgainstTheInnerSteps(bool multiStepLoss, double[] weights, string message)
    {
        var options = new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, InnerSteps = 3, MultiStepLoss = multiStepLoss, MultiStepLossWeights = weights };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(MetaAlgorithm.Reptile)]
    [InlineData(MetaAlgorithm.ProtoNet)]
    public void MultiStepLossIsRefusedWhereThereIsNoQueryLossPerStep(MetaAlgorithm algorithm)
    {
        var options = new MetaLearnerOptions { Algorithm = algorithm, InnerSteps = 3, MultiStepLoss = true };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal($"MultiStepLoss applies to MAML, first-order MAML, ANIL and Meta-SGD; the algorithm is {algorithm}.", error.Message);
    }

    [Fact]
    public void MetaBatchAveragesTheTasksGradients()
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 2);
        Tensor[] start = Snapshot(model);
        RegressionEpisode[] episodes = [Sinusoids.Episode(3, 0, 5, 7), Sinusoids.Episode(3, 1, 5, 7), Sinusoids.Episode(3, 2, 5, 7)];
        Tensor[] expected = HandMetaGradient(model, start, episodes, secondOrder: true, headOnly: false, rates: null).Gradients;

        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.Maml, MetaBatch = 3 });
        learner.MetaTrain(Sinusoids);

        AssertClose(expected, Gradients(model));
    }

    [Fact]
    public void AnilAdaptsOnlyTheHeadButTrainsTheBody()
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 3);
        Tensor[] start = Snapshot(model);
        RegressionEpisode episode = Sinusoids.Episode(3, 0, 5, 7);
        Tensor[] expected = HandMetaGradient(model, start, [episode], secondOrder: true, headOnly: true, rates: null).Gradients;
        Tensor[] whole = HandMetaGradient(model, start, [episode], secondOrder: true, headOnly: false, rates: null).Gradients;

        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.Anil });
        learner.MetaTrain(Sinusoids);

        AssertClose(expected, Gradients(model));
        Assert.True(Distance(expected, whole) > 1e-3);
        Assert.True(Gradients(model)[0].abs().sum().item<float>() > 0, "the body gets a meta-gradient through the query loss");
    }

    [Fact]
    public void MetaSgdLearnsAPerWeightInnerLearningRate()
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 4);
        Tensor[] start = Snapshot(model);
        Tensor[] rates = start.Select(w => full_like(w, InnerRate).requires_grad_(true)).ToArray();
        RegressionEpisode episode = Sinusoids.Episode(3, 0, 5, 7);
        (Tensor[] expected, Tensor[] expectedRates) = HandMetaGradient(model, start, [episode], secondOrder: true, headOnly: false, rates);

        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.MetaSgd, LearningRate = 1e-2 });
        learner.MetaTrain(Sinusoids);

        AssertClose(expected, Gradients(model));
        AssertClose(expectedRates, learner.InnerLearningRates.Select(r => r.grad!).ToArray());
        // The rates are meta-parameters: Adam moved them away from their start.
        Assert.True(learner.InnerLearningRates.All(r => r.sub(InnerRate).abs().max().item<float>() > 1e-3));
    }

    [Fact]
    public void ReptileMovesTheWeightsTowardsTheAdaptedOnes()
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 5);
        Tensor[] start = Snapshot(model);
        RegressionEpisode episode = Sinusoids.Episode(3, 0, 5, 7);
        (Tensor xs, Tensor ys, _, _) = Tensors(episode);
        Tensor[] fast = start.Select(w => w.clone().requires_grad_(true)).ToArray();
        for (int step = 0; step < InnerSteps; step++)
        {
            Tensor loss = nn.functional.mse_loss(model.FunctionalLogits(xs, fast, training: true), ys);
            IList<Tensor> g = autograd.grad([loss], fast);
            fast = fast.Select((w, i) => w.sub(g[i].mul(InnerRate)).detach().requires_grad_(true)).ToArray();
        }

        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.Reptile });
        learner.MetaTrain(Sinusoids);

        AssertClose(start.Select((w, i) => w.sub(fast[i])).ToArray(), Gradients(model));
    }

    [Theory]
    [InlineData(MetaAlgorithm.Maml)]
    [InlineData(MetaAlgorithm.FoMaml)]
    [InlineData(MetaAlgorithm.Reptile)]
    [InlineData(MetaAlgorithm.Anil)]
    [InlineData(MetaAlgorithm.MetaSgd)]
    public void SinusoidRegressionImprovesWithMetaTraining(MetaAlgorithm algorithm)
    {
        var model = new TinyRegressor(seed: 6);
        using var learner = new MetaLearner(model, new MetaLearnerOptions
        {
            Algorithm = algorithm,
            Task = MetaTaskKind.Regression,
            Shots = 10,
            Queries = 10,
            InnerLearningRate = algorithm == MetaAlgorithm.Reptile ? 0.02 : 0.01,
            InnerSteps = algorithm == MetaAlgorithm.Reptile ? 5 : 1,
            MetaBatch = 10,
            Steps = 150,
            LearningRate = 1e-2,
        });
        FewShotEvaluation before = learner.Evaluate(Sinusoids, episodes: 100, seed: 77, innerSteps: 5);
        learner.MetaTrain(Sinusoids);
        FewShotEvaluation after = learner.Evaluate(Sinusoids, episodes: 100, seed: 77, innerSteps: 5);
        output.WriteLine($"{algorithm}: MSE after 5 steps {before.Loss:F3} → {after.Loss:F3}");

        Assert.True(after.Loss < 0.8 * before.Loss, $"{algorithm}: {before.Loss:F3} → {after.Loss:F3}");
        Assert.True(double.IsNaN(after.Accuracy));
    }

    [Theory]
    [InlineData(MetaAlgorithm.Maml)]
    [InlineData(MetaAlgorithm.Anil)]
    public void FewShotClassificationOnUnseenClassesRisesWellAboveChance(MetaAlgorithm algorithm)
    {
        var model = new TinyMetaClassifier(seed: 7);
        var reports = new List<MetaTrainingProgress>();
        using var learner = new MetaLearner(model, new MetaLearnerOptions
        {
            Algorithm = algorithm,
            Ways = 5,
            Shots = 1,
            Queries = 5,
            MetaBatch = 4,
            Steps = 100,
            InnerLearningRate = 0.4,
            LearningRate = 3e-3,
            ValidationData = Test,
            ValidationEvery = 50,
            ValidationEpisodes = 10,
            ProgressEvery = 10,
        });
        FewShotEvaluation before = learner.Evaluate(Test, episodes: 100, seed: 9);
        MetaTrainingHistory history = learner.MetaTrain(Train, reports.Add);
        FewShotEvaluation after = learner.Evaluate(Test, episodes: 100, seed: 9);
        output.WriteLine($"{algorithm} 5-way 1-shot on unseen classes: before {before}, after {after}; {history.EpisodesPerSecond:F0} tasks/s");

        Assert.True(after.Accuracy > before.Accuracy + 0.1, $"before {before}, after {after}");
        Assert.Equal(100, history.Steps);
        Assert.Equal(new[] { 50, 100 }, history.Validations.Select(v => v.Step));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 10), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.EpisodesPerSecond > 0 && r.Accuracy is >= 0 and <= 1));
        Assert.False(model.training);
    }

    [Fact]
    public void EvaluationAndAdaptationLeaveTheWeightsAloneAndAdaptationFitsTheSupportSet()
    {
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 8);
        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.Maml, InnerSteps = 1, EvaluationInnerSteps = 10 });
        Tensor[] start = Snapshot(model);
        FewShotEvaluation first = learner.Evaluate(Sinusoids, episodes: 20, seed: 5);
        Assert.Equal(first, learner.Evaluate(Sinusoids, episodes: 20, seed: 5));

        (Tensor xs, Tensor ys, _, _) = Tensors(Sinusoids.Episode(11, 0, 10, 10));
        IReadOnlyList<Tensor> adapted = learner.Adapt(xs, ys);
        double Loss(IReadOnlyList<Tensor> weights) => nn.functional.mse_loss(model.FunctionalLogits(xs, weights, training: true), ys).item<float>();

        Assert.True(Loss(adapted) < 0.8 * Loss(start), $"support loss {Loss(start):F3} → {Loss(adapted):F3} after 10 steps");
        Assert.DoesNotContain(adapted, w => w.requires_grad);
        AssertClose(start, Snapshot(model), tolerance: 0);
    }

    [Fact]
    public void ExportedAdaptedModelRestoresTheMetaTrainedWeights()
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 9);
        using var learner = new MetaLearner(model, OneRegressionStep with { Algorithm = MetaAlgorithm.Maml });
        Tensor[] start = Snapshot(model);
        (Tensor xs, Tensor ys, _, _) = Tensors(Sinusoids.Episode(11, 0, 10, 10));
        string path = temp.File("adapted.onnx");

        learner.ExportAdaptedOnnx(path, xs, ys, steps: 3);

        Assert.True(new FileInfo(path).Length > 0);
        AssertClose(start, Snapshot(model), tolerance: 0);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(18)]
    public void OnnxRuntimeOnTheAdaptedExportMatchesTheLearnersPrediction(int opset)
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyMetaClassifier(seed: 11);
        using var learner = new MetaLearner(model, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 5, Shots = 1, Queries = 3, MetaBatch = 2, Steps = 3 });
        learner.MetaTrain(Train); // running statistics now differ from any one batch's
        Episode episode = new EpisodeSampler(Test, 5, 1, 3, seed: 4).Sample(0);
        Tensor supportX = tensor(episode.Support.ToArray(), [episode.SupportCount, 1, 8, 8]);
        Tensor supportY = tensor(episode.SupportLabels.Select(l => (long)l).ToArray());
        Tensor queryX = tensor(episode.Query.ToArray(), [episode.QueryCount, 1, 8, 8]);
        string path = temp.File("adapted.onnx");

        learner.ExportAdaptedOnnx(path, supportX, supportY, steps: 2, opset: opset);
        float[] expected = learner.Predict(supportX, supportY, queryX, steps: 2).data<float>().ToArray();

        using var onnx = SharpShot.Inference.OnnxModel.Load(path);
        var actual = new float[expected.Length];
        onnx.PredictBatch(episode.Query.Span, episode.QueryCount, actual);
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4, $"{pair.First} vs {pair.Second}"));
    }

    [Fact]
    public void ResumedMetaSgdRunEndsWithTheSameWeightsAndRatesAsAnUnbrokenOne()
    {
        using var temp = new TempFolder();
        MetaLearnerOptions options = OneRegressionStep with { Algorithm = MetaAlgorithm.MetaSgd, MetaBatch = 2, Steps = 12, CheckpointEvery = 5, LearningRate = 1e-2 };
        using var unbroken = new MetaLearner(new TinyRegressor(seed: 10), options);
        unbroken.MetaTrain(Sinusoids);

        string checkpoint = temp.File("meta.ckpt");
        using var crash = new CancellationTokenSource();
        using (var interrupted = new MetaLearner(new TinyRegressor(seed: 10), options with { CheckpointPath = checkpoint, ProgressEvery = 1 }))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => interrupted.MetaTrain(Sinusoids, p => { if (p.Step == 7) crash.Cancel(); }, crash.Token));
        }

        using var resumed = new MetaLearner(new TinyRegressor(seed: 99), options with { CheckpointPath = checkpoint });
        MetaTrainingHistory rest = resumed.MetaTrain(Sinusoids);

        Assert.Equal((7, 12), (rest.ResumedAt, rest.Steps));
        AssertClose(Snapshot(unbroken.Model), Snapshot(resumed.Model), tolerance: 0);
        AssertClose(unbroken.InnerLearningRates.ToArray(), resumed.InnerLearningRates.ToArray(), tolerance: 0);

        using var other = new MetaLearner(new TinyRegressor(seed: 10), options with { CheckpointPath = checkpoint, InnerLearningRate = 0.2 });
        Assert.Throws<CheckpointMismatchException>(() => other.MetaTrain(Sinusoids));
    }

    [Fact]
    public void CheckpointOfAWeightedMultiStepLossResumesOnlyWithTheSameWeights()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("meta.ckpt");
        MetaLearnerOptions options = OneRegressionStep with { Algorithm = MetaAlgorithm.Maml, MultiStepLoss = true, MultiStepLossWeights = [3, 1], Steps = 4, CheckpointPath = checkpoint, CheckpointEvery = 2 };
        using (var first = new MetaLearner(new TinyRegressor(seed: 11), options with { Steps = 2 }))
        {
            first.MetaTrain(Sinusoids);
        }

        using var equal = new MetaLearner(new TinyRegressor(seed: 11), options with { MultiStepLossWeights = [1, 1] });
        Assert.Throws<CheckpointMismatchException>(() => equal.MetaTrain(Sinusoids));

        using var same = new MetaLearner(new TinyRegressor(seed: 11), options with { MultiStepLossWeights = [3.0, 1.0] });
        Assert.Equal(2, same.MetaTrain(Sinusoids).ResumedAt);
    }

    [Fact]
    public void MismatchedModelsTasksAndAlgorithmsAreRefusedWithClearMessages()
    {
        var classifier = new TinyMetaClassifier(seed: 1);
        var wrongWays = Assert.Throws<ArgumentException>(() => new MetaLearner(classifier, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 20 }));
        Assert.Contains("must output 20 logits", wrongWays.Message);

        Assert.Throws<ArgumentException>(() => new MetaLearner(new TinyRegressor(seed: 1), new MetaLearnerOptions { Algorithm = MetaAlgorithm.ProtoNet, Task = MetaTaskKind.Regression }));
        Assert.Throws<ArgumentException>(() => new MetaLearner(classifier, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, InnerLearningRate = -1 }));

        using var learner = new MetaLearner(classifier, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml });
        Assert.Contains("Regression", Assert.Throws<ArgumentException>(() => learner.MetaTrain(Sinusoids)).Message);
        Assert.Contains("expects samples of shape [1, 8, 8]",
            Assert.Throws<ArgumentException>(() => learner.MetaTrain(FewShotTestData.Tagged(classes: 10, samplesPerClass: 6, shape: [1, 3, 3]))).Message);
        Assert.Contains("must be 5-way", Assert.Throws<ArgumentException>(() => learner.Evaluate(Test, episodes: 5, seed: 1, ways: 3)).Message);

        using var proto = new MetaLearner(new TinyEmbedding(seed: 1));
        using var scope = NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => proto.Adapt(zeros(5, 1, 8, 8), arange(5)));
    }

    /// <summary>The meta-gradient of the mean query loss over <paramref name="episodes"/>, written out: inner SGD steps, then the query loss.</summary>
    /// <remarks>With <paramref name="multiStep"/> the query loss is the mean of those after every inner step.</remarks>
    private static (Tensor[] Gradients, Tensor[] RateGradients) HandMetaGradient(
        SequentialModel model, Tensor[] start, RegressionEpisode[] episodes, bool secondOrder, bool headOnly, Tensor[]? rates, double[]? stepWeights = null)
    {
        Tensor[] theta = start.Select(w => w.clone().requires_grad_(true)).ToArray();
        int headStart = headOnly ? theta.Length - 2 : 0; // TinyRegressor's head: the last Dense's weight and bias
        Tensor total = zeros(1);
        foreach (RegressionEpisode episode in episodes)
        {
            (Tensor xs, Tensor ys, Tensor xq, Tensor yq) = Tensors(episode);
            Tensor[] fast = theta.ToArray();
            for (int step = 0; step < InnerSteps; step++)
            {
                Tensor loss = nn.functional.mse_loss(model.FunctionalLogits(xs, fast, training: true), ys);
                Tensor[] adapted = fast[headStart..];
                IList<Tensor> g = autograd.grad([loss], adapted, create_graph: secondOrder, retain_graph: secondOrder);
                for (int i = 0; i < adapted.Length; i++)
                {
                    Tensor gradient = secondOrder ? g[i] : g[i].detach();
                    fast[headStart + i] = adapted[i].sub(rates is null ? gradient.mul(InnerRate) : rates[headStart + i].mul(gradient));
                }

                // The query loss after every step, weighted, or after the last one alone.
                double weight = stepWeights is null ? (step == InnerSteps - 1 ? 1 : 0) : stepWeights[step] / stepWeights.Sum();
                if (weight > 0)
                {
                    Tensor queryLoss = nn.functional.mse_loss(model.FunctionalLogits(xq, fast, training: true), yq);
                    total = total + queryLoss.mul(weight / episodes.Length);
                }
            }
        }

        Tensor[] inputs = rates is null ? theta : [.. theta, .. rates];
        IList<Tensor> all = autograd.grad([total], inputs);
        return (all.Take(theta.Length).ToArray(), all.Skip(theta.Length).ToArray());
    }

    private static (Tensor Xs, Tensor Ys, Tensor Xq, Tensor Yq) Tensors(RegressionEpisode e) =>
        (tensor(e.SupportX, [e.SupportCount, 1]), tensor(e.SupportY, [e.SupportCount, 1]), tensor(e.QueryX, [e.QueryCount, 1]), tensor(e.QueryY, [e.QueryCount, 1]));

    private static Tensor[] Snapshot(SequentialModel model) => model.FunctionalParameters().Select(p => p.detach().clone()).ToArray();

    private static Tensor[] Gradients(SequentialModel model) => model.FunctionalParameters().Select(p => p.grad!).ToArray();

    private static double Distance(Tensor[] a, Tensor[] b) => a.Zip(b).Max(p => p.First.sub(p.Second).abs().max().item<float>());

    private static void AssertClose(Tensor[] expected, Tensor[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.NotNull(actual[i]);
            double scale = Math.Max(1, expected[i].abs().max().item<float>());
            double difference = expected[i].sub(actual[i]).abs().max().item<float>();
            Assert.True(difference <= tolerance * scale, $"tensor {i}: differs by {difference:E3} (scale {scale:G3})");
        }
    }
}
