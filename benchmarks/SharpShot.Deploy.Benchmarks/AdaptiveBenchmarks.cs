using BenchmarkDotNet.Attributes;
using SharpShot.FewShot;
using SharpShot.Inference;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>
/// In-graph adaptation of the MAML conv-4 learner in ONNX Runtime: one 5-way 1-shot task — the inner loop's steps on the
/// 5 support images inside the graph, then 15 queries through the adapted network — per call, with 1 and 5 inner steps
/// (issue targets: ≤ 10 ms and ≤ 40 ms median on 2 cores). The baseline is one forward pass of the 20 images in the
/// same kind of graph with no step.
/// </summary>
[Config(typeof(DeployConfig))]
public class AdaptiveBenchmarks
{
    private AdaptiveClassifier _classifier = null!;
    private float[] _queries = [];

    [Params(0, 1, 5)]
    public int InnerSteps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var model = new Conv4Learner();
        using var learner = new MetaLearner(model, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 5, Shots = 1, Queries = 15, InnerLearningRate = 0.4 });
        string path = Exported.PathOf($"conv4-adaptive-{InnerSteps}");
        learner.ExportAdaptiveOnnx(path, InnerSteps);
        _classifier = AdaptiveClassifier.Load(path);
        _classifier.Fit(Exported.Pixels(5 * 784, seed: 4).Select(v => v * 255).ToArray(), ["a", "b", "c", "d", "e"]);
        _queries = Exported.Pixels(15 * 784, seed: 5).Select(v => v * 255).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _classifier.Dispose();

    [Benchmark]
    public float[] AdaptAndClassify15Queries() => _classifier.PredictProbabilities(_queries);
}
