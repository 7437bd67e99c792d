using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class ConvTranspose2dTests
{
    // name: in channels, filters, kernel, stride, padding, output padding, input H × W
    private static readonly Dictionary<string, (int C, int F, int K, int S, int P, int Op, int H, int W)> Configs = new()
    {
        ["stride1"] = (3, 4, 3, 1, 0, 0, 5, 5),
        ["stride2-pad1-outpad1"] = (3, 4, 3, 2, 1, 1, 5, 6),
        ["upsample-k4-s2-p1"] = (2, 3, 4, 2, 1, 0, 4, 6),
        ["k2-s2"] = (4, 2, 2, 2, 0, 0, 3, 5),
        ["k5-s3-p2-outpad2"] = (2, 2, 5, 3, 2, 2, 4, 4),
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
    public void FunctionalForwardMatchesModuleAndOutputFollowsPyTorchsFormula(string config)
    {
        using var layer = Create(config, out Tensor input);
        LayerChecks.AssertFunctionalMatches(layer, input);
        var c = Configs[config];
        long Out(int size) => (size - 1) * c.S - 2 * c.P + c.K + c.Op;
        Assert.Equal(new long[] { c.C, c.F, c.K, c.K }, layer.Weight.shape);
        Assert.Equal(new[] { input.shape[0], c.F, Out(c.H), Out(c.W) }, layer.forward(input).shape);
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
    public void OutputPaddingMustBeBelowTheStride()
    {
        using var init = new LayerInit(1);
        Assert.Throws<ArgumentException>(() => new ConvTranspose2dLayer("deconv", 2, 2, 3, 2, 1, 2, init));
    }

    private static ConvTranspose2dLayer Create(string config, out Tensor input)
    {
        var c = Configs[config];
        using var init = new LayerInit(config.Length);
        var layer = new ConvTranspose2dLayer("deconv", c.C, c.F, c.K, c.S, c.P, c.Op, init);
        LayerChecks.Randomize(layer.Bias, seed: 5, -0.5, 0.5);
        input = LayerParity.RandomInput(config.Length + 3, 3, c.C, c.H, c.W);
        return layer;
    }
}
