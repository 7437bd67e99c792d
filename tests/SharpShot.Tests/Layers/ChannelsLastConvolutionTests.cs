using SharpShot.Layers;
using SharpShot.Native;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// Conv2d's channels-last route (taken without oneDNN on small, many-channel maps) against LibTorch's plain NCHW
/// convolution: the same forward, first- and second-order gradients in float64 on every kind of configuration the
/// route can get, float32 gradients close to float64, and the selection rule. The routed layer's reference, ONNX and
/// second-order checks are the layer contract's (its Conv2dRouted… cases).
/// </summary>
public class ChannelsLastConvolutionTests
{
    // name: in channels, filters, kernel, stride, padding (top, bottom, left, right), input H × W, batch
    private static readonly Dictionary<string, (int C, int F, int K, int S, Padding2d P, int H, int W, int N)> Routed = new()
    {
        ["pad1"] = (16, 8, 3, 1, Padding2d.Symmetric(1), 7, 7, 3),
        ["stride2-odd-sizes"] = (16, 12, 3, 2, Padding2d.Symmetric(1), 9, 11, 2),
        ["valid-batch1"] = (32, 5, 3, 1, new(0, 0, 0, 0), 6, 5, 1),
        ["rows-and-columns-padded-differently"] = (16, 4, 3, 1, new(1, 1, 2, 2), 5, 6, 2),
        ["same-even-kernel"] = (16, 4, 4, 1, new(1, 2, 1, 2), 7, 7, 2),
        ["same-stride2"] = (24, 6, 3, 2, new(0, 1, 0, 1), 8, 8, 3),
        ["asymmetric-mixed"] = (16, 3, 3, 1, new(2, 0, 1, 3), 6, 7, 2),
        ["kernel5-stride3"] = (16, 7, 5, 3, Padding2d.Symmetric(2), 13, 10, 2),
        ["largest-routed-map-16x16"] = (16, 4, 3, 1, Padding2d.Symmetric(1), 16, 16, 1),
    };

    // Settings the rule leaves on the plain call: (in channels, filters, kernel, stride, padding, dilation, groups, H × W).
    private static readonly Dictionary<string, (int C, int F, int K, int S, int P, int D, int G, int H, int W)> NotRouted = new()
    {
        ["few-channels"] = (15, 8, 3, 1, 1, 1, 1, 7, 7),
        ["large-map"] = (16, 8, 3, 1, 1, 1, 1, 17, 16),
        ["groups"] = (16, 16, 3, 1, 1, 1, 2, 7, 7),
        ["dilation"] = (16, 8, 3, 1, 2, 2, 1, 7, 7),
        ["1x1-kernel"] = (16, 8, 1, 1, 0, 1, 1, 7, 7),
    };

    public static TheoryData<string> RoutedNames() => [.. Routed.Keys];

    public static TheoryData<string> NotRoutedNames() => [.. NotRouted.Keys];

    [Theory]
    [MemberData(nameof(RoutedNames))]
    public void RouteIsTakenAndMatchesNativeConvolutionInFloat64UpToSecondOrder(string config)
    {
        using var scope = NewDisposeScope();
        using var layer = CreateRouted(config, out Tensor input);
        Tensor x = input.to(ScalarType.Float64);
        Tensor[] parameters = layer.OwnParameters.Select(p => p.detach().to(ScalarType.Float64)).ToArray();

        Tensor[] viaLayer = ForwardAndGradients(x, parameters, (xi, w, b) => layer.Forward(xi, new ParameterCursor([w, b]), training: true));
        Tensor[] native = ForwardAndGradients(x, parameters, (xi, w, b) => NativeConv2d(config, xi, w, b));

        // The output's layout shows which kernel ran: the route returns channels-last, the plain call NCHW.
        using (no_grad())
        {
            Assert.Equal(TorchRuntime.OneDnnDisabled, IsChannelsLastOnly(layer.forward(input)));
        }

        string[] what = ["output", "input gradient", "weight gradient", "bias gradient", "second-order input gradient", "second-order weight gradient", "second-order bias gradient"];
        for (int i = 0; i < what.Length; i++)
        {
            Assert.Equal(native[i].shape, viaLayer[i].shape);
            double scale = Math.Max(1, native[i].abs().max().item<double>());
            double difference = viaLayer[i].sub(native[i]).abs().max().item<double>();
            Assert.True(difference <= 1e-11 * scale, $"{config}: {what[i]} differs from native conv2d by {difference:E3} (scale {scale:G3})");
            Assert.True(native[i].abs().max().item<double>() > 0, $"{config}: {what[i]} is all zero, so the comparison proves little");
        }
    }

    [Theory]
    [MemberData(nameof(RoutedNames))]
    public void Float32GradientsMatchFloat64(string config)
    {
        // What the oneDNN kernels got wrong: float32 input gradients. The route's float32 kernels must not.
        using var layer = CreateRouted(config, out Tensor input);
        GradientChecks.AssertInputGradientMatchesDoublePrecision(layer, input);

        using var scope = NewDisposeScope();
        Tensor WeightGradient(ScalarType type)
        {
            Tensor[] parameters = layer.OwnParameters.Select(p => p.detach().to(type).requires_grad_(true)).ToArray();
            Tensor y = layer.Forward(input.to(type), new ParameterCursor(parameters), training: true);
            Tensor weights = Random(98, y.shape).to(type);
            return autograd.grad([y.mul(weights).sum()], [parameters[0]])[0].to(ScalarType.Float64);
        }

        Tensor expected = WeightGradient(ScalarType.Float64);
        double difference = WeightGradient(ScalarType.Float32).sub(expected).abs().max().item<double>();
        double scale = Math.Max(1, expected.abs().max().item<double>());
        Assert.True(difference <= 1e-4 * scale, $"{config}: float32 weight gradient differs from float64 by {difference:E3} (scale {scale:G3})");
    }

    [Theory]
    [MemberData(nameof(NotRoutedNames))]
    public void OtherSettingsStayOnThePlainCall(string config)
    {
        var c = NotRouted[config];
        using var init = new LayerInit(config.Length);
        using var layer = new Conv2dLayer("conv", c.C, c.F, c.K, c.S, Padding2d.Symmetric(c.P), c.D, c.G, init);
        using var input = Random(config.Length + 1, 2, c.C, c.H, c.W);
        using (no_grad())
        {
            using Tensor y = layer.forward(input);
            Assert.True(y.is_contiguous(), $"{config}: the output is not NCHW, so the channels-last route ran");
        }
    }

    [Fact]
    public void RuleCountsOutputPositionsAfterStrideAndPadding()
    {
        bool Applies(long c, long h, long w, int kernel, long stride, long padH, long padW)
        {
            using Tensor x = empty(2, c, h, w);
            return ChannelsLastConvolution.Applies(x, kernel, stride, [padH, padW], dilation: 1, groups: 1);
        }

        bool enabled = TorchRuntime.OneDnnDisabled;
        Assert.Equal(enabled, Applies(64, 14, 14, 3, 1, 1, 1));      // conv-4's 14×14 layer: 196 positions
        Assert.Equal(enabled, Applies(64, 3, 3, 3, 1, 1, 1));        // and its last: 9
        Assert.Equal(enabled, Applies(64, 28, 28, 3, 2, 1, 1));      // 28×28 in, stride 2: 14×14 out
        Assert.Equal(enabled, Applies(16, 16, 16, 3, 1, 1, 1));      // 256 positions: the largest map routed
        Assert.False(Applies(16, 16, 17, 3, 1, 1, 1));               // 272
        Assert.False(Applies(64, 28, 28, 3, 1, 1, 1));               // conv-4's first map size, 784
        Assert.False(Applies(1, 28, 28, 3, 1, 1, 1));                // one input channel
        Assert.False(Applies(64, 2, 2, 3, 1, 0, 0));                 // kernel larger than the input: the plain call reports it
        Assert.False(Applies(64, 2, 2, 3, 2, 0, 0));                 // also where integer division would make it 1×1
        using Tensor unbatched = empty(64, 7, 7);
        Assert.False(ChannelsLastConvolution.Applies(unbatched, 3, 1, [1, 1], dilation: 1, groups: 1));
    }

    /// <summary>
    /// Output y = conv(x), then L = Σ tanh(y)·R with its gradients g = ∂L/∂(x, w, b) (keeping the graph), then
    /// M = Σ g·R' and its gradients ∂M/∂(x, w, b): seven tensors, every one depending on the convolution's kernels.
    /// </summary>
    private static Tensor[] ForwardAndGradients(Tensor input, Tensor[] parameters, Func<Tensor, Tensor, Tensor, Tensor> convolve)
    {
        Tensor x = input.detach().clone().requires_grad_(true);
        Tensor w = parameters[0].detach().clone().requires_grad_(true);
        Tensor b = parameters[1].detach().clone().requires_grad_(true);
        Tensor y = convolve(x, w, b);
        Tensor loss = y.tanh().mul(Random(11, y.shape).to(ScalarType.Float64)).sum();
        // allow_unused: an operand the convolution ignores fails the comparison instead of ending the test process.
        IList<Tensor> first = autograd.grad([loss], [x, w, b], retain_graph: true, create_graph: true, allow_unused: true);
        Tensor meta = first.Select((g, i) => g.mul(Random(20 + i, g.shape).to(ScalarType.Float64)).sum()).Aggregate((a, c) => a.add(c));
        IList<Tensor> second = autograd.grad([meta], [x, w, b]);
        return [y.detach().contiguous(), .. first.Select(g => g.detach().contiguous()), .. second.Select(g => g.contiguous())];
    }

    /// <summary>The reference: explicit zero padding, then LibTorch's convolution on NCHW-contiguous operands.</summary>
    private static Tensor NativeConv2d(string config, Tensor x, Tensor w, Tensor b)
    {
        var c = Routed[config];
        Tensor padded = nn.functional.pad(x.contiguous(), [c.P.Left, c.P.Right, c.P.Top, c.P.Bottom]).contiguous();
        return nn.functional.conv2d(padded, w.contiguous(), b, strides: [c.S, c.S]);
    }

    /// <summary>U(−2, 2) values of the given shape, seeded.</summary>
    private static Tensor Random(int seed, params long[] shape) => LayerContract.Uniform(seed, shape, -2, 2);

    private static bool IsChannelsLastOnly(Tensor y) =>
        !y.is_contiguous() && y.permute(0, 2, 3, 1).is_contiguous();

    private static Conv2dLayer CreateRouted(string config, out Tensor input)
    {
        var c = Routed[config];
        using var init = new LayerInit(config.Length);
        var layer = new Conv2dLayer("conv", c.C, c.F, c.K, c.S, c.P, 1, 1, init);
        using (no_grad())
        {
            layer.Bias.copy_(LayerContract.Uniform(7, layer.Bias.shape, -0.5, 0.5));
        }

        input = Random(config.Length + 1, c.N, c.C, c.H, c.W);
        return layer;
    }
}
