using BenchmarkDotNet.Attributes;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>The seed CNN as exported (float32), with float16 weights, and dynamic int8 (<see cref="OnnxQuantizer"/>): one forward pass.</summary>
[Config(typeof(DeployConfig))]
public class QuantizedBenchmarks
{
    private OnnxModel _model = null!;
    private float[] _input = [];
    private float[] _output = [];

    [Params("float32", "fp16", "int8")]
    public string Weights { get; set; } = "float32";

    [Params(1, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var seed = new SeedCnn();
        seed.eval();
        using (Exported.Load(seed, "seed-cnn"))
        {
        }

        byte[] exported = File.ReadAllBytes(Exported.PathOf("seed-cnn"));
        byte[] bytes = Weights switch
        {
            "fp16" => OnnxQuantizer.ToFloat16(exported).Bytes,
            "int8" => OnnxQuantizer.ToDynamicInt8(exported).Bytes,
            _ => exported,
        };
        _model = OnnxModel.Load(bytes);
        _input = Exported.Pixels(Batch * 784, seed: 4);
        _output = new float[Batch * _model.OutputLength];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark]
    public void Forward() => _model.PredictBatch(_input, Batch, _output);
}
