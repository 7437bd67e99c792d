using SharpShot.Inference;
using SharpShot.Tests.Models;
using static TorchSharp.torch;

namespace SharpShot.Tests.Export;

/// <summary>
/// <c>ExportOnnx(path, weights, training)</c>: the exported graph computes the functional forward on the weights it is
/// given (adapted ones, say), in either normalization mode, and the module is neither read for weights nor changed.
/// </summary>
public class ExplicitWeightsExportTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheGraphComputesTheFunctionalForwardOnTheGivenWeightsAndTheModuleIsUntouched(bool training)
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyMetaClassifier(seed: 3);
        WarmUpRunningStatistics(model);
        model.eval();
        float[] moduleBefore = ModuleState(model);
        using var generator = new Generator(17);
        Tensor[] weights = model.FunctionalParameters().Select(p => randn(p.shape, generator: generator).mul(0.3)).ToArray();
        Tensor input = randn([6, 1, 8, 8], generator: generator);
        string path = temp.File("explicit.onnx");

        model.ExportOnnx(path, weights, training);

        Assert.Equal(moduleBefore, ModuleState(model));
        float[] expected;
        using (no_grad())
        {
            // Functional with training: true also moves the running statistics; the module was compared before.
            expected = model.Functional(input, weights, training).data<float>().ToArray();
        }

        using var onnx = OnnxModel.Load(path);
        float[] actual = onnx.PredictBatch(input.data<float>().ToArray(), 6);
        double difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(difference <= 1e-5, $"max |functional − ONNX Runtime| = {difference:E3}");

        // And the module's own weights give another answer: the export did not use them.
        using (no_grad())
        {
            float[] own = model.Functional(input, model.FunctionalParameters(), training).data<float>().ToArray();
            Assert.True(own.Zip(actual, (o, a) => Math.Abs(o - a)).Max() > 1e-2);
        }
    }

    [Fact]
    public void AWeightListForAnotherNetworkIsRefusedNamingTheParameter()
    {
        using var temp = new TempFolder();
        using var scope = NewDisposeScope();
        var model = new TinyMetaClassifier(seed: 3);
        Tensor[] weights = model.FunctionalParameters().Select(p => p.detach()).ToArray();
        string path = temp.File("refused.onnx");

        var tooFew = Assert.Throws<ArgumentException>(() => model.ExportOnnx(path, weights[..^1], training: false));
        Assert.Contains("only 9 were given", tooFew.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => model.ExportOnnx(path, [.. weights, weights[0]], training: false));
        Assert.Contains("The network uses 10 parameters, but 11 were given", tooMany.Message);
        weights[2] = zeros(3);
        var shape = Assert.Throws<ArgumentException>(() => model.ExportOnnx(path, weights, training: false));
        Assert.Contains("must have shape [16]", shape.Message);
        Assert.False(File.Exists(path));
    }

    private static void WarmUpRunningStatistics(SequentialModel model)
    {
        using var scope = NewDisposeScope();
        model.train();
        using (no_grad())
        {
            model.forward(randn([8, 1, 8, 8], generator: new Generator(5)).mul(2).add(1));
        }
    }

    private static float[] ModuleState(SequentialModel model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().Select(p => p.detach()).Concat(model.buffers().Select(b => b.to(ScalarType.Float32)))
            .SelectMany(t => t.contiguous().data<float>().ToArray()).ToArray();
    }
}
