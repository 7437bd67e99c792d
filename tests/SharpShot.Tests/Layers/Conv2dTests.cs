using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class Conv2dTests
{
    // name: in channels, filters, kernel, stride, padding (top, bottom, left, right), dilation, groups, input H × W
    private static readonly Dictionary<string, (int C, int F, int K, int S, Padding2d P, int D, int G, int H, int W)> Configs = new()
    {
        ["valid"] = (3, 4, 3, 1, new(0, 0, 0, 0), 1, 1, 8, 8),
        ["stride2-pad1"] = (3, 4, 3, 2, Padding2d.Symmetric(1), 1, 1, 9, 8),
        ["same-even-kernel"] = (3, 4, 4, 1, new(1, 2, 1, 2), 1, 1, 8, 7),
        ["same-stride2"] = (3, 5, 3, 2, new(0, 1, 0, 1), 1, 1, 8, 8),
        ["asymmetric-mixed"] = (2, 3, 3, 1, new(2, 0, 1, 3), 1, 1, 6, 7),
        ["dilation2"] = (3, 4, 3, 1, Padding2d.Symmetric(2), 2, 1, 8, 8),
        ["groups2"] = (4, 6, 3, 1, Padding2d.Symmetric(1), 1, 2, 7, 7),
        ["depthwise"] = (4, 4, 3, 1, Padding2d.Symmetric(1), 1, 4, 7, 7),
        ["depthwise-x2-stride2-same"] = (3, 6, 3, 2, new(0, 1, 0, 1), 1, 3, 8, 8),
    };

    public static TheoryData<string, int> ConfigsAndOpsets()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Configs.Keys)
        {
            foreach (int opset in new[] { 13, 17, 20 })
            {
                data.Add(name, opset);
            }
        }

        return data;
    }

    public static TheoryData<string> ConfigNames() => [.. Configs.Keys];

    [Theory]
    [MemberData(nameof(ConfigsAndOpsets))]
    public void OnnxRuntimeMatchesTorchSharp(string config, int opset)
    {
        using var layer = Create(config, out Tensor input);
        LayerChecks.AssertOnnxMatches(layer, input, opset);
    }

    [Theory]
    [MemberData(nameof(ConfigNames))]
    public void FunctionalForwardMatchesModuleAndOutputHasTheExpectedShape(string config)
    {
        using var layer = Create(config, out Tensor input);
        LayerChecks.AssertFunctionalMatches(layer, input);
        var c = Configs[config];
        long Out(int size, int before, int after) => (size + before + after - c.D * (c.K - 1) - 1) / c.S + 1;
        Assert.Equal(new[] { input.shape[0], c.F, Out(c.H, c.P.Top, c.P.Bottom), Out(c.W, c.P.Left, c.P.Right) }, layer.forward(input).shape);
    }

    [Theory]
    [MemberData(nameof(ConfigNames))]
    public void InputGradientIsRight(string config)
    {
        using var layer = Create(config, out Tensor input);
        LayerChecks.AssertInputGradientMatchesDoublePrecision(layer, input);
    }

    [Theory]
    [MemberData(nameof(ConfigNames))]
    public void SecondOrderGradientsFlowThroughExplicitParameters(string config)
    {
        using var layer = Create(config, out Tensor input);
        LayerChecks.AssertSecondOrderGradients(layer, input, training: true);
    }

    [Fact]
    public void WeightShapeAccountsForGroups()
    {
        using var init = new LayerInit(1);
        using var layer = new Conv2dLayer("conv", 6, 9, 3, 1, Padding2d.Symmetric(1), 1, 3, init);
        Assert.Equal(new long[] { 9, 2, 3, 3 }, layer.Weight.shape);
    }

    [Fact]
    public void ShortConstructorIsSymmetricPaddingWithoutDilationOrGroups()
    {
        using var init1 = new LayerInit(5);
        using var init2 = new LayerInit(5);
        using var short_ = new Conv2dLayer("conv", 2, 3, 3, 2, 1, init1);
        using var long_ = new Conv2dLayer("conv", 2, 3, 3, 2, Padding2d.Symmetric(1), 1, 1, init2);
        Tensor input = LayerParity.RandomInput(3, 2, 2, 7, 7);
        Assert.Equal(0, short_.forward(input).sub(long_.forward(input)).abs().max().item<float>());
    }

    [Fact]
    public void GroupsThatDoNotDivideTheChannelsAreRejected()
    {
        using var init = new LayerInit(1);
        Assert.Throws<ArgumentException>(() => new Conv2dLayer("conv", 4, 6, 3, 1, Padding2d.Symmetric(1), 1, 3, init));
    }

    private static Conv2dLayer Create(string config, out Tensor input)
    {
        var c = Configs[config];
        using var init = new LayerInit(config.Length);
        var layer = new Conv2dLayer("conv", c.C, c.F, c.K, c.S, c.P, c.D, c.G, init);
        LayerChecks.Randomize(layer.Bias, seed: 7, -0.5, 0.5);
        input = LayerParity.RandomInput(config.Length + 1, 3, c.C, c.H, c.W);
        return layer;
    }
}
