using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class MaxPool2dTests
{
    public static TheoryData<int, int, int, int> ConfigsAndOpsets()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (var (kernel, stride, padding) in new[] { (2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 2, 1), (4, 3, 2), (3, 3, 0) })
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
        using var layer = new MaxPool2dLayer("pool", kernel, stride, padding);
        LayerChecks.AssertOnnxMatches(layer, NegativeInput(kernel + stride), opset);
    }

    [Theory]
    [InlineData(3, 2, 1)]
    [InlineData(2, 2, 1)]
    [InlineData(4, 3, 2)]
    public void PaddingNeverWinsTheMaxAndShapeFollowsFloorMode(int kernel, int stride, int padding)
    {
        using var layer = new MaxPool2dLayer("pool", kernel, stride, padding);
        Tensor input = NegativeInput(1);
        Tensor output = layer.forward(input);
        Assert.True(output.max().item<float>() < 0, "a padded zero won the max");
        long Out(long size) => (size + 2 * padding - kernel) / stride + 1;
        Assert.Equal(new[] { input.shape[0], input.shape[1], Out(input.shape[2]), Out(input.shape[3]) }, output.shape);
        LayerChecks.AssertFunctionalMatches(layer, input);
    }

    [Fact]
    public void ThreeArgumentConstructorStillMeansNoPadding()
    {
        using var layer = new MaxPool2dLayer("pool", 2, 2);
        Assert.Equal(new long[] { 2, 3, 3, 4 }, layer.forward(NegativeInput(0)).shape);
    }

    [Fact]
    public void PaddingAboveHalfTheKernelIsRejected() =>
        Assert.Throws<ArgumentException>(() => new MaxPool2dLayer("pool", 3, 1, 2));

    // All values in [-5, -1): zero padding instead of −∞ padding would show up at the border.
    private static Tensor NegativeInput(int seed) => LayerParity.RandomInput(seed, 2, 3, 7, 9).sub_(3);
}
