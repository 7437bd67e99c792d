using BenchmarkDotNet.Attributes;
using SharpShot.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>
/// One forward pass of the same weights: the ONNX host's allocation-free float path (<c>Predict</c> /
/// <c>PredictBatch</c> into caller memory) against TorchSharp eager (eval mode, <c>no_grad</c>, a dispose scope;
/// input tensor from the same floats, output copied to the same buffer, as an app would).
/// </summary>
[Config(typeof(DeployConfig))]
public class HostVsEagerBenchmarks
{
    private SequentialModel _torch = null!;
    private OnnxModel _host = null!;
    private float[] _input = [];
    private float[] _output = [];

    [Params("SeedCnn", "Conv4")]
    public string Model { get; set; } = "SeedCnn";

    [Params(1, 32, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _torch = Model == "SeedCnn" ? new SeedCnn() : new Conv4Embedding();
        _torch.eval();
        _host = Exported.Load(_torch, Model);
        _input = Exported.Pixels(Batch * 784, seed: 1);
        _output = new float[Batch * _host.OutputLength];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Dispose();
        _torch.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void TorchSharpEager()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor x = tensor(_input, [Batch, 1, 28, 28]);
        Tensor y = _torch.forward(x);
        y.data<float>().CopyTo(_output, 0);
    }

    [Benchmark]
    public void OnnxHost()
    {
        if (Batch == 1)
        {
            _host.Predict(_input, _output);
        }
        else
        {
            _host.PredictBatch(_input, Batch, _output);
        }
    }
}
