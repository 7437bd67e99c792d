using BenchmarkDotNet.Attributes;
using SharpShot.Layers;
using SharpShot.Native;
using static TorchSharp.torch;

namespace SharpShot.Benchmarks;

/// <summary>One 3×3 convolution with padding 1 (conv-4's layer), forward and backward, on float32 CPU tensors.</summary>
/// <param name="InChannels">Input channels C.</param>
/// <param name="Filters">Output channels F.</param>
/// <param name="Size">Height and width of the square input.</param>
public sealed record ConvShape(int InChannels, int Filters, int Size)
{
    /// <inheritdoc />
    public override string ToString() => $"{InChannels}→{Filters} {Size}×{Size}";
}

/// <summary>
/// LibTorch's convolution without oneDNN as Conv2d calls it by default (NCHW) against the channels-last route,
/// forward and backward, on the layer shapes of conv-4 (four blocks of Conv2d(64, 3, padding 1), BatchNorm2d,
/// ReLU, MaxPool2d(2) on 1×28×28 images). The first layer's input needs no gradient (it is the images); the
/// others' does. The inputs arrive NCHW, so the route's timings include its input copy to NHWC.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class ConvLayerBenchmarks
{
    private Tensor _x = null!;
    private Tensor _weight = null!;
    private Tensor _bias = null!;
    private Tensor _outputGradient = null!;

    /// <summary>Images per batch.</summary>
    [Params(80, 120)]
    public int Batch { get; set; }

    /// <summary>The layer.</summary>
    [ParamsSource(nameof(Shapes))]
    public ConvShape Shape { get; set; } = null!;

    /// <summary>conv-4's four layers.</summary>
    public static IEnumerable<ConvShape> Shapes => [new(1, 64, 28), new(64, 64, 14), new(64, 64, 7), new(64, 64, 3)];

    /// <summary>Makes the operands (seeded).</summary>
    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureConfigured();
        if (!TorchRuntime.OneDnnDisabled)
        {
            throw new InvalidOperationException("oneDNN could not be switched off, so these timings would not be the ones SharpShot gets.");
        }

        manual_seed(1);
        _x = randn(Batch, Shape.InChannels, Shape.Size, Shape.Size).requires_grad_(Shape.InChannels > 1);
        _weight = randn(Shape.Filters, Shape.InChannels, 3, 3).mul_(0.1).requires_grad_(true);
        _bias = zeros(Shape.Filters).requires_grad_(true);
        _outputGradient = randn(Batch, Shape.Filters, Shape.Size, Shape.Size);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _weight.Dispose();
        _bias.Dispose();
        _outputGradient.Dispose();
    }

    /// <summary><c>nn.functional.conv2d</c> on NCHW operands.</summary>
    [Benchmark(Baseline = true)]
    public void Native() => Backward(nn.functional.conv2d(_x, _weight, _bias, padding: [1, 1]));

    /// <summary>The channels-last route, whatever its selection rule says for this shape.</summary>
    [Benchmark]
    public void ChannelsLast() => Backward(ChannelsLastConvolution.Conv2d(_x, _weight, _bias, [1, 1], [1, 1]));

    private void Backward(Tensor y)
    {
        using var scope = NewDisposeScope();
        Tensor[] operands = _x.requires_grad ? [_x, _weight, _bias] : [_weight, _bias];
        autograd.grad([y], operands, [_outputGradient]);
        y.Dispose();
    }
}

/// <summary>
/// One conv-4 training step on a batch of 1×28×28 images: the forward through four SharpShot blocks
/// (Conv2d(64, 3, padding 1), BatchNorm2d, ReLU, MaxPool2d(2)) in training mode and the gradients of a loss on the
/// 64-feature embedding with respect to every parameter, with Conv2d's channels-last route off and on. A step takes
/// 100–300 ms, so one invocation fills an iteration; 15 of them keep the ratio steadier on a noisy machine.
/// </summary>
[Config(typeof(ShortRunConfig))]
[IterationCount(15)]
public class Conv4StepBenchmarks
{
    private BlockLayer _net = null!;
    private Tensor _images = null!;

    /// <summary>Images per batch.</summary>
    [Params(80, 120)]
    public int Batch { get; set; }

    /// <summary>Builds the net (seeded) and the images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureConfigured();
        if (!TorchRuntime.OneDnnDisabled)
        {
            throw new InvalidOperationException("oneDNN could not be switched off, so these timings would not be the ones SharpShot gets.");
        }

        using var init = new LayerInit(1);
        _net = new BlockLayer("conv4", [.. Enumerable.Range(0, 4).Select(i => new BlockLayer(
            $"block{i}",
            new Conv2dLayer("conv", i == 0 ? 1 : 64, 64, 3, 1, 1, init),
            new BatchNormLayer("norm", 64, 0.1, 1e-5),
            new ReluLayer("relu"),
            new MaxPool2dLayer("pool", 2, 2)))]);
        _net.train();
        manual_seed(2);
        _images = rand(Batch, 1, 28, 28);
    }

    /// <summary>Frees the net and the images; leaves the route on.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        ChannelsLastConvolution.Enabled = true;
        _net.Dispose();
        _images.Dispose();
    }

    /// <summary>Every convolution on <c>nn.functional.conv2d</c> (NCHW).</summary>
    [Benchmark(Baseline = true)]
    public void RouteOff()
    {
        ChannelsLastConvolution.Enabled = false;
        Step();
    }

    /// <summary>Conv2d's selection rule on: conv-4's 64-channel layers take the channels-last route.</summary>
    [Benchmark]
    public void RouteOn()
    {
        ChannelsLastConvolution.Enabled = true;
        Step();
    }

    private void Step()
    {
        using var scope = NewDisposeScope();
        Tensor embedding = _net.forward(_images).flatten(1);
        Tensor loss = embedding.sub(0.5).pow(2).mean();
        autograd.grad([loss], [.. _net.OwnParameters]);
    }
}
