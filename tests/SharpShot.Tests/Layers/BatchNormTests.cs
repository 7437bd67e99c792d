using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>Batch norm's running statistics; what it computes with them is in the layer contract.</summary>
public class BatchNormTests
{
    // BatchNorm1d over (N, C) and (N, C, L); BatchNorm2d over (N, C, H, W).
    public static TheoryData<long[]> Shapes() => [[6, 4], [5, 3, 7], [4, 3, 5, 5]];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TrainingUpdatesRunningStatisticsAsPyTorchDoes(long[] shape)
    {
        using var scope = NewDisposeScope();
        using var layer = new BatchNormLayer("bn", (int)shape[1], momentum: 0.1, epsilon: 1e-5);
        Tensor input = LayerContract.Uniform(4, shape, -2.3, 3.7);
        long[] reduced = [0, .. Enumerable.Range(2, (int)input.dim() - 2).Select(d => (long)d)];
        Tensor expectedMean = input.mean(reduced).mul(0.1);
        Tensor expectedVar = input.var(reduced, unbiased: true).mul(0.1).add(0.9);

        // The functional forward with other γ and β still updates this layer's statistics.
        Tensor[] supplied = [full([input.shape[1]], 2f), full([input.shape[1]], -1f)];
        Tensor output = layer.Forward(input, new ParameterCursor(supplied), training: true);

        Assert.True(layer.RunningMean.allclose(expectedMean, rtol: 1e-5, atol: 1e-6));
        Assert.True(layer.RunningVar.allclose(expectedVar, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(1L, layer.NumBatchesTracked.item<long>());
        Tensor normalized = output.add(1).div(2);
        Assert.True(normalized.mean(reduced).abs().max().item<float>() < 1e-5, "batch statistics were not used");

        layer.eval();
        layer.forward(input);
        Assert.Equal(1L, layer.NumBatchesTracked.item<long>());
        Assert.True(layer.RunningMean.allclose(expectedMean, rtol: 1e-5, atol: 1e-6), "eval mode changed the running mean");
    }

    [Fact]
    public void RunningStatisticsAreSavedInTheStateDictAfterTheParameters()
    {
        using var layer = new BatchNormLayer("bn", 3, 0.1, 1e-5);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], layer.state_dict().Keys);
        Assert.Equal(["weight", "bias"], layer.named_parameters().Select(p => p.name));
        Assert.Equal(ScalarType.Int64, layer.NumBatchesTracked.dtype);
    }
}
