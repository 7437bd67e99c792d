using BenchmarkDotNet.Attributes;
using SharpShot.Inference;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>
/// Few-shot on the deploy side, over the conv-4 embedding: <c>Fit</c> on an N-way K-shot support set plus one
/// query, against one ONNX Runtime forward pass of the same N·K + 1 images (the floor: the embedding must run on
/// every image once).
/// </summary>
[Config(typeof(DeployConfig))]
public class FewShotBenchmarks
{
    private FewShotClassifier _classifier = null!;
    private OnnxModel _embedding = null!;
    private float[] _support = [];
    private int[] _labels = [];
    private float[] _query = [];
    private float[] _all = [];
    private float[] _embeddings = [];

    [Params("5-way 5-shot", "20-way 1-shot")]
    public string Task { get; set; } = "5-way 5-shot";

    [GlobalSetup]
    public void Setup()
    {
        var (ways, shots) = Task == "5-way 5-shot" ? (5, 5) : (20, 1);
        using var model = new Conv4Embedding();
        model.eval();
        _embedding = Exported.Load(model, "conv4-fewshot");
        _classifier = FewShotClassifier.Load(Exported.PathOf("conv4-fewshot"));
        _support = Exported.Pixels(ways * shots * 784, seed: 2);
        _labels = Enumerable.Range(0, ways * shots).Select(i => i / shots).ToArray();
        _query = Exported.Pixels(784, seed: 3);
        _all = [.. _support, .. _query];
        _embeddings = new float[(ways * shots + 1) * _embedding.OutputLength];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _classifier.Dispose();
        _embedding.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OneForwardOfAllImages() => _embedding.PredictBatch(_all, _labels.Length + 1, _embeddings);

    [Benchmark]
    public int FitPlusOneQuery()
    {
        _classifier.Fit(_support, _labels);
        return _classifier.Classify(_query);
    }
}
