using Microsoft.ML.OnnxRuntime;
using DenseTensorFloat = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using DenseTensorLong = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>;
using SharpShot.FewShot;
using SharpShot.Layers;
using SharpShot.Tests.FewShot.Episodes;
using SharpShot.Tests.Models;
using SharpShot.Tests.Training;
using static TorchSharp.torch;

namespace SharpShot.Tests.FewShot.MetaLearning;

/// <summary>
/// In-graph adaptation: the adaptive ONNX model, run by ONNX Runtime directly (no SharpShot code), adapts to a support
/// set inside the graph and predicts the queries as <see cref="MetaLearner.Adapt"/> followed by a forward pass does,
/// for every MAML-family algorithm, after 1 and 5 inner steps, within 1e-4·(1 + |b|).
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class AdaptiveExportTests
{
    private static readonly FewShotDataset Train = FewShotTestData.Blobs(classes: 40, samplesPerClass: 20, seed: 1, nuisance: 0.5f);
    private static readonly FewShotDataset Test = FewShotTestData.Blobs(classes: 15, samplesPerClass: 20, seed: 2, firstClass: 1000, nuisance: 0.5f);

    public static TheoryData<MetaAlgorithm, int> AlgorithmsAndSteps()
    {
        var data = new TheoryData<MetaAlgorithm, int>();
        foreach (MetaAlgorithm algorithm in new[] { MetaAlgorithm.Maml, MetaAlgorithm.FoMaml, MetaAlgorithm.Reptile, MetaAlgorithm.Anil, MetaAlgorithm.MetaSgd })
        {
            data.Add(algorithm, 1);
            data.Add(algorithm, 5);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndSteps))]
    public void OnnxRuntimeAdaptsInTheGraphAsTheLearnerAdapts(MetaAlgorithm algorithm, int steps)
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyMetaClassifier(seed: 11);
        using var learner = new MetaLearner(model, new MetaLearnerOptions { Algorithm = algorithm, Ways = 5, Shots = 2, Queries = 3, MetaBatch = 2, Steps = 3, InnerLearningRate = 0.3 });
        learner.MetaTrain(Train);
        Episode episode = new EpisodeSampler(Test, 5, 2, 3, seed: 4).Sample(0);
        float[] support = episode.Support.ToArray(), query = episode.Query.ToArray();
        long[] labels = episode.SupportLabels.Select(l => (long)l).ToArray();
        string path = temp.File("adaptive.onnx");

        learner.ExportAdaptiveOnnx(path, steps);
        Keep(path, $"{algorithm}-{steps}");
        float[] expected = learner.Predict(tensor(support, [episode.SupportCount, 1, 8, 8]), tensor(labels), tensor(query, [episode.QueryCount, 1, 8, 8]), steps).data<float>().ToArray();

        float[] actual = RunDirectly(path, support, episode.SupportCount, labels, query, episode.QueryCount, [1, 8, 8]);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"{algorithm}, {steps} steps: logit {i} is {actual[i]}, the learner's {expected[i]}");
        }

        // SharpShot.Inference's AdaptiveClassifier runs the same graph from labels by name.
        using (var classifier = SharpShot.Inference.AdaptiveClassifier.Load(path))
        {
            classifier.Fit(support, labels.Select(l => $"class {l}").ToArray());
            float[] probabilities = classifier.PredictProbabilities(query);
            Assert.Equal(steps, classifier.InnerSteps);
            Assert.Equal(algorithm.ToString(), classifier.Algorithm);
            for (int q = 0; q < episode.QueryCount; q++)
            {
                int expectedClass = Array.IndexOf(expected, expected.Skip(q * 5).Take(5).Max(), q * 5) - q * 5;
                int actualClass = Array.IndexOf(probabilities, probabilities.Skip(q * 5).Take(5).Max(), q * 5) - q * 5;
                Assert.Equal($"class {expectedClass}", classifier.Classes[actualClass]);
            }
        }

        // The graph really adapts: without steps its answers are the meta-trained weights' ones.
        learner.ExportAdaptiveOnnx(temp.File("unadapted.onnx"), steps: 0);
        float[] unadapted = RunDirectly(temp.File("unadapted.onnx"), support, episode.SupportCount, labels, query, episode.QueryCount, [1, 8, 8]);
        Assert.True(actual.Zip(unadapted).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the adapted answers equal the unadapted ones");
    }

    [Theory]
    [InlineData(QueryNormalization.SupportStatistics)]
    [InlineData(QueryNormalization.QueryBatch)]
    public void With_the_support_sets_statistics_a_querys_answer_does_not_depend_on_the_others(QueryNormalization normalization)
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyMetaClassifier(seed: 12);
        using var learner = new MetaLearner(model, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 5, Shots = 2, Queries = 3, MetaBatch = 2, Steps = 3, QueryNormalization = normalization });
        learner.MetaTrain(Train);
        Episode episode = new EpisodeSampler(Test, 5, 2, 3, seed: 5).Sample(0);
        float[] support = episode.Support.ToArray(), query = episode.Query.ToArray();
        long[] labels = episode.SupportLabels.Select(l => (long)l).ToArray();
        Tensor supportX = tensor(support, [episode.SupportCount, 1, 8, 8]), supportY = tensor(labels);
        string path = temp.File("adaptive.onnx");
        learner.ExportAdaptiveOnnx(path, steps: 2);

        float[] together = learner.Predict(supportX, supportY, tensor(query, [episode.QueryCount, 1, 8, 8]), steps: 2).data<float>().ToArray();
        float[] alone = learner.Predict(supportX, supportY, tensor(query[..64], [1, 1, 8, 8]), steps: 2).data<float>().ToArray();
        float[] onnxTogether = RunDirectly(path, support, episode.SupportCount, labels, query, episode.QueryCount, [1, 8, 8]);
        float[] onnxAlone = RunDirectly(path, support, episode.SupportCount, labels, query[..64], 1, [1, 8, 8]);

        double torchGap = alone.Zip(together).Max(p => Math.Abs(p.First - p.Second));
        double onnxGap = onnxAlone.Zip(onnxTogether).Max(p => Math.Abs(p.First - p.Second));
        if (normalization == QueryNormalization.SupportStatistics)
        {
            Assert.True(torchGap < 1e-5, $"TorchSharp: the first query alone differs from it among the others by {torchGap}");
            Assert.True(onnxGap < 1e-5, $"ONNX Runtime: the first query alone differs from it among the others by {onnxGap}");
        }
        else
        {
            // Transductive: a query alone is normalized by itself, so its answer changes (what the default avoids).
            Assert.True(torchGap > 1e-3 && onnxGap > 1e-3, $"gaps {torchGap}, {onnxGap}");
        }

        Assert.All(onnxTogether.Zip(together), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4 * (1 + Math.Abs(p.Second)), $"{p.First} vs {p.Second}"));
    }

    [Fact]
    public void A_regression_learner_adapts_to_float_targets()
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyRegressor(seed: 9);
        using var learner = new MetaLearner(model, new MetaLearnerOptions { Task = MetaTaskKind.Regression, Algorithm = MetaAlgorithm.Maml, Shots = 5, Queries = 7, MetaBatch = 1, Steps = 2, InnerLearningRate = 0.1 });
        learner.MetaTrain(new SinusoidTasks());
        RegressionEpisode episode = new SinusoidTasks().Episode(11, 0, 10, 6);
        string path = temp.File("adaptive.onnx");

        learner.ExportAdaptiveOnnx(path, steps: 3);
        Keep(path, "regression-3");
        float[] expected = learner.Predict(tensor(episode.SupportX, [episode.SupportCount, 1]), tensor(episode.SupportY, [episode.SupportCount, 1]),
            tensor(episode.QueryX, [episode.QueryCount, 1]), steps: 3).data<float>().ToArray();

        using var session = new InferenceSession(path);
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("support_x", new DenseTensorFloat(episode.SupportX.ToArray(), [episode.SupportCount, 1])),
            NamedOnnxValue.CreateFromTensor("support_y", new DenseTensorFloat(episode.SupportY.ToArray(), [episode.SupportCount, 1])),
            NamedOnnxValue.CreateFromTensor("query_x", new DenseTensorFloat(episode.QueryX.ToArray(), [episode.QueryCount, 1])),
        ]);
        float[] actual = results.Single(r => r.Name == "query_predictions").AsTensor<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4 * (1 + Math.Abs(p.First)), $"{p.Second} vs {p.First}"));
    }

    [Fact]
    public void Learners_without_an_inner_loop_or_layers_without_a_backward_rule_are_refused_by_name()
    {
        using var temp = new TempFolder();
        using var protoNet = new MetaLearner(new TinyEmbedding(seed: 1), new MetaLearnerOptions { Algorithm = MetaAlgorithm.ProtoNet, Ways = 5 });
        using var upsampling = new MetaLearner(new UpsamplingNet(seed: 1), new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 3 });
        using var maml = new MetaLearner(new TinyMetaClassifier(seed: 1), new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 5 });

        Assert.Contains("FewShotClassifier", Assert.Throws<InvalidOperationException>(() => protoNet.ExportAdaptiveOnnx(temp.File("p.onnx"))).Message);
        Assert.Contains("convtranspose2d_1", Assert.Throws<NoBackwardRuleException>(() => upsampling.ExportAdaptiveOnnx(temp.File("u.onnx"))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => maml.ExportAdaptiveOnnx(temp.File("m.onnx"), opset: 15));
        Assert.False(File.Exists(temp.File("u.onnx")));
    }

    /// <summary>A copy for tools/dev/check-adaptive-onnx.sh (ONNX's full checker) when SHARPSHOT_KEEP_ONNX names a folder.</summary>
    private static void Keep(string path, string name)
    {
        if (Environment.GetEnvironmentVariable("SHARPSHOT_KEEP_ONNX") is { Length: > 0 } folder)
        {
            File.Copy(path, Path.Combine(folder, $"adaptive-{name}.onnx"), overwrite: true);
        }
    }

    /// <summary>Runs the adaptive model with ONNX Runtime's own API: what an app with no SharpShot code does.</summary>
    private static float[] RunDirectly(string path, float[] support, int supportCount, long[] labels, float[] query, int queryCount, int[] sample)
    {
        using var session = new InferenceSession(path);
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("support_x", new DenseTensorFloat(support, [supportCount, .. sample])),
            NamedOnnxValue.CreateFromTensor("support_y", new DenseTensorLong(labels, [supportCount])),
            NamedOnnxValue.CreateFromTensor("query_x", new DenseTensorFloat(query, [queryCount, .. sample])),
        ]);
        return results.Single(r => r.Name == "query_logits").AsTensor<float>().ToArray();
    }
}
