using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class AvgPool2dTests
{
    public static TheoryData<int, int, int, int> ConfigsAndOpsets()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (var (kernel, stride, padding) in new[] { (2, 2, 0), (3, 2, 1), (3, 1, 1), (4, 2, 2), (3, 3, 0), (2, 1, 1) })
        {
            foreach (int opset in new[] { 13, 17, 20 })
            {
                data.Add(kernel, stride, padding, opset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigsAndOpsets))]
    public void OnnxRuntimeMatchesTorchSharp(int kernel, int stride, int padding, int opset)
    {
        using var layer = new AvgPool2dLayer("pool", kernel, stride, padding);
        LayerChecks.AssertOnnxMatches(layer, LayerParity.RandomInput(kernel * 10 + stride, 2, 3, 7, 9), opset);
    }

    [Theory]
    [InlineData(3, 2, 1)]
    [InlineData(4, 2, 2)]
    public void FunctionalForwardMatchesModuleAndShapeFollowsFloorMode(int kernel, int stride, int padding)
    {
        using var layer = new AvgPool2dLayer("pool", kernel, stride, padding);
        Tensor input = LayerParity.RandomInput(1, 2, 3, 7, 9);
        LayerChecks.AssertFunctionalMatches(layer, input);
        long Out(long size) => (size + 2 * padding - kernel) / stride + 1;
        Assert.Equal(new[] { 2L, 3, Out(7), Out(9) }, layer.forward(input).shape);
    }

    [Fact]
    public void PaddedZerosCountInTheAverage()
    {
        // PyTorch's default count_include_pad = true: a 3×3 window at a corner of a padded all-ones map averages 4 ones and 5 zeros.
        using var layer = new AvgPool2dLayer("pool", 3, 1, 1);
        Tensor output = layer.forward(ones(1, 1, 4, 4));
        Assert.Equal(4f / 9, output[0, 0, 0, 0].item<float>(), 6);
        Assert.Equal(6f / 9, output[0, 0, 0, 1].item<float>(), 6);
        Assert.Equal(1f, output[0, 0, 1, 1].item<float>(), 6);
    }
}
