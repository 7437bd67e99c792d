using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class Conv1dTests
{
    // name: in channels, filters, kernel, stride, padding (start, end), dilation, groups, input length
    private static readonly Dictionary<string, (int C, int F, int K, int S, Padding1d P, int D, int G, int L)> Configs = new()
    {
        ["valid"] = (3, 4, 3, 1, new(0, 0), 1, 1, 10),
        ["stride2-pad1"] = (3, 4, 3, 2, new(1, 1), 1, 1, 11),
        ["same-even-kernel"] = (2, 5, 4, 1, new(1, 2), 1, 1, 9),
        ["same-stride2"] = (3, 4, 3, 2, new(0, 1), 1, 1, 10),
        ["dilation3"] = (3, 4, 3, 1, new(3, 3), 3, 1, 12),
        ["groups2"] = (4, 6, 5, 1, new(2, 2), 1, 2, 10),
        ["depthwise"] = (4, 4, 3, 1, new(1, 1), 1, 4, 9),
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
        long length = (c.L + c.P.Start + c.P.End - c.D * (c.K - 1) - 1) / c.S + 1;
        Assert.Equal(new[] { input.shape[0], c.F, length }, layer.forward(input).shape);
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

    private static Conv1dLayer Create(string config, out Tensor input)
    {
        var c = Configs[config];
        using var init = new LayerInit(config.Length);
        var layer = new Conv1dLayer("conv1d", c.C, c.F, c.K, c.S, c.P, c.D, c.G, init);
        LayerChecks.Randomize(layer.Bias, seed: 3, -0.5, 0.5);
        input = LayerParity.RandomInput(config.Length + 2, 4, c.C, c.L);
        return layer;
    }
}
