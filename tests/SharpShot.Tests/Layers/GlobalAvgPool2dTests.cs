using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class GlobalAvgPool2dTests
{
    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(20)]
    public void OnnxRuntimeMatchesTorchSharp(int opset)
    {
        using var layer = new GlobalAvgPool2dLayer("gap");
        // Shifted so the channel means are clearly non-zero.
        LayerChecks.AssertOnnxMatches(layer, LayerParity.RandomInput(opset, 3, 5, 6, 7).add_(0.5), opset);
    }

    [Fact]
    public void EachSampleBecomesAVectorOfChannelMeans()
    {
        using var layer = new GlobalAvgPool2dLayer("gap");
        Tensor input = LayerParity.RandomInput(1, 2, 4, 3, 5);
        Tensor output = layer.forward(input);
        Assert.Equal(new long[] { 2, 4 }, output.shape);
        Assert.True(output.allclose(input.mean([2, 3])));
        LayerChecks.AssertFunctionalMatches(layer, input);
    }
}
