using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class BatchNormTests
{
    // BatchNorm1d over (N, C) and (N, C, L); BatchNorm2d over (N, C, H, W).
    private static readonly Dictionary<string, long[]> Shapes = new()
    {
        ["1d-vectors"] = [6, 4],
        ["1d-sequences"] = [5, 3, 7],
        ["2d"] = [4, 3, 5, 5],
    };

    public static TheoryData<string, int> ShapesAndOpsets()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Shapes.Keys)
        {
            foreach (int opset in new[] { 13, 15, 17, 20 })
            {
                data.Add(name, opset);
            }
        }

        return data;
    }

    public static TheoryData<string> ShapeNames() => [.. Shapes.Keys];

    [Theory]
    [MemberData(nameof(ShapesAndOpsets))]
    public void OnnxRuntimeMatchesTorchSharpInEvalAfterTraining(string shape, int opset)
    {
        using var layer = CreateTrained(shape);
        Assert.Equal(3L, layer.NumBatchesTracked.item<long>());
        Assert.True(layer.RunningMean.abs().min().item<float>() > 0.05, "running mean did not move");
        Assert.True(layer.RunningVar.sub(1).abs().min().item<float>() > 0.05, "running variance did not move");
        LayerChecks.AssertOnnxMatches(layer, LayerParity.RandomInput(opset, Shapes[shape]), opset);
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void FunctionalForwardMatchesModule(string shape)
    {
        using var layer = CreateTrained(shape);
        LayerChecks.AssertFunctionalMatches(layer, LayerParity.RandomInput(9, Shapes[shape]));
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void SecondOrderGradientsFlowThroughExplicitParameters(string shape)
    {
        using var layer = CreateTrained(shape);
        Tensor input = LayerParity.RandomInput(10, Shapes[shape]);
        LayerChecks.AssertSecondOrderGradients(layer, input, training: true);
        LayerChecks.AssertSecondOrderGradients(layer, input, training: false);
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void TrainingUpdatesRunningStatisticsAsPyTorchDoes(string shape)
    {
        using var layer = new BatchNormLayer("bn", (int)Shapes[shape][1], momentum: 0.1, epsilon: 1e-5);
        Tensor input = LayerParity.RandomInput(4, Shapes[shape]).mul_(1.5).add_(0.7);
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

    private static BatchNormLayer CreateTrained(string shape)
    {
        long[] dims = Shapes[shape];
        var layer = new BatchNormLayer("bn", (int)dims[1], momentum: 0.1, epsilon: 1e-3);
        LayerChecks.Randomize(layer.Weight, seed: 1, 0.5, 1.5);
        LayerChecks.Randomize(layer.Bias, seed: 2, -0.5, 0.5);
        layer.train();
        using (no_grad())
        {
            for (int step = 0; step < 3; step++)
            {
                // A larger batch than the test inputs, so every channel's statistics clearly move.
                layer.forward(LayerParity.RandomInput(20 + step, [32, .. dims[1..]]).mul_(1.5).add_(0.8));
            }
        }

        return layer;
    }
}
