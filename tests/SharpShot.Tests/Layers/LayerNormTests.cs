using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class LayerNormTests
{
    // Vectors (N, F) and sequences (N, T, F): normalized over the last dimension F.
    private static readonly Dictionary<string, long[]> Shapes = new()
    {
        ["vectors"] = [4, 6],
        ["sequences"] = [3, 5, 8],
    };

    public static TheoryData<string, int, double> ShapesOpsetsAndEpsilons()
    {
        var data = new TheoryData<string, int, double>();
        foreach (string name in Shapes.Keys)
        {
            // 13..16 export the decomposition, 17+ the LayerNormalization operator.
            foreach (int opset in new[] { 13, 16, 17, 18, 20 })
            {
                data.Add(name, opset, 1e-5);
                data.Add(name, opset, 1e-3);
            }
        }

        return data;
    }

    public static TheoryData<string> ShapeNames() => [.. Shapes.Keys];

    [Theory]
    [MemberData(nameof(ShapesOpsetsAndEpsilons))]
    public void OnnxRuntimeMatchesTorchSharp(string shape, int opset, double epsilon)
    {
        using var layer = Create(shape, epsilon, out Tensor input);
        LayerChecks.AssertOnnxMatches(layer, input, opset);
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FunctionalForwardMatchesModule(string shape)
    {
        using var layer = Create(shape, 1e-5, out Tensor input);
        LayerChecks.AssertFunctionalMatches(layer, input);
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void SecondOrderGradientsFlowThroughExplicitParameters(string shape)
    {
        using var layer = Create(shape, 1e-5, out Tensor input);
        LayerChecks.AssertSecondOrderGradients(layer, input, training: true);
    }

    [Fact]
    public void NormalizesTheLastDimension()
    {
        using var layer = new LayerNormLayer("ln", 8, 1e-5);
        Tensor output = layer.forward(LayerParity.RandomInput(1, 3, 5, 8).mul_(3).add_(2));
        Assert.True(output.mean([-1]).abs().max().item<float>() < 1e-5);
        Assert.True(output.var([-1], unbiased: false).sub(1).abs().max().item<float>() < 1e-3);
    }

    private static LayerNormLayer Create(string shape, double epsilon, out Tensor input)
    {
        long[] dims = Shapes[shape];
        var layer = new LayerNormLayer("ln", (int)dims[^1], epsilon);
        LayerChecks.Randomize(layer.Weight, seed: 1, 0.5, 1.5);
        LayerChecks.Randomize(layer.Bias, seed: 2, -0.5, 0.5);
        // Per-position scale and offset, so normalization has something to remove.
        input = LayerParity.RandomInput(shape.Length, dims).mul_(1.7).add_(0.6);
        return layer;
    }
}
