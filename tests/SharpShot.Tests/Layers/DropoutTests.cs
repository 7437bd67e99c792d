using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>Dropout in training mode, the one behaviour the layer contract (eval mode and export: the identity) leaves out.</summary>
public class DropoutTests
{
    [Fact]
    public void TrainingZeroesAboutTheRateAndScalesTheRestUp()
    {
        using var scope = NewDisposeScope();
        using var layer = new DropoutLayer("dropout", 0.25);
        Tensor input = LayerContract.Uniform(1, [20, 50], 1, 2);
        Tensor output = layer.Forward(input, new ParameterCursor([]), training: true);

        Tensor dropped = output.eq(0);
        Tensor kept = output.sub(input.div(0.75)).abs().lt(1e-5);
        Assert.True(dropped.logical_or(kept).all().item<bool>(), "values are neither dropped nor scaled by 1 / (1 − rate)");
        Assert.InRange(dropped.to_type(ScalarType.Float32).mean().item<float>(), 0.2, 0.3);
    }
}
