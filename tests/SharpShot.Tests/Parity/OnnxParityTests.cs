using SharpShot.Inference;
using SharpShot.Tests.Functional;
using SharpShot.Tests.Layers;
using SharpShot.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Tests.Parity;

/// <summary>DESIGN invariant: every layer's ONNX Runtime output matches TorchSharp's (max |diff| ≤ 1e-5) on random inputs and weights.</summary>
public class OnnxParityTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Models() =>
    [
        nameof(OnlyConv2d), nameof(OnlyStridedConv2d), nameof(OnlyMaxPool2d), nameof(OnlyOverlappingMaxPool2d),
        nameof(OnlyFlatten), nameof(OnlyDense), nameof(OnlyRelu), nameof(OnlySoftmax), nameof(OnlySoftmaxOverLastAxis),
        nameof(OnlyDropout), nameof(EveryLayerNet), nameof(LogitsNet), nameof(SmallMlp), nameof(TinyCnn),
        nameof(ComposedNet), nameof(RecurrentNet), nameof(SequenceConvNet), nameof(UpsamplingNet), nameof(UsesAnotherModel),
    ];

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntimeMatchesTorchSharp(string modelName)
    {
        SequentialModel model = Create(modelName);
        RandomizeParameters(model, seed: modelName.Length);
        const int batch = 5;
        WarmUpRunningStatistics(model, batch);
        model.eval();

        float[] input = RandomInput(model, batch, seed: 11);
        float[] expected = RunTorch(model, input, batch);

        using var temp = new TempFolder();
        string path = temp.File($"{modelName}.onnx");
        model.ExportOnnx(path);
        using var onnx = OnnxModel.Load(path);
        Assert.Equal(model.InputShape, onnx.InputShape);
        Assert.Equal(model.OutputShape, onnx.OutputShape);
        float[] actual = onnx.PredictBatch(input, batch);

        Assert.Equal(expected.Length, actual.Length);
        double maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference <= Tolerance,
            $"{modelName}: max |TorchSharp - ONNX Runtime| = {maxDifference:E3} > {Tolerance:E0} (outputs up to {expected.Max(Math.Abs):G4})");
        Assert.True(expected.Any(v => Math.Abs(v) > 1e-3), $"{modelName}: outputs are all near zero, so the comparison would prove nothing");
    }

    public static TheoryData<string, bool> ReferencedModelsAndModes()
    {
        var data = new TheoryData<string, bool>();
        foreach ((string name, ModelReference reference) in ModelReferences.All)
        {
            data.Add(name, false);
            if (reference.HasBatchNorm)
            {
                data.Add(name, true);
            }
        }

        return data;
    }

    /// <summary>
    /// <c>ExportOnnx(path, weights, training)</c> with weights that are not the model's own: ONNX Runtime's output equals the
    /// model's composed reference on those weights (batch statistics with <c>training</c>, dropout inactive), and the model
    /// keeps its own weights.
    /// </summary>
    [Theory]
    [MemberData(nameof(ReferencedModelsAndModes))]
    public void ExportOfOtherWeightsMatchesTheComposedReference(string modelName, bool training)
    {
        ModelReference reference = ModelReferences.All[modelName];
        using SequentialModel model = reference.Create();
        WarmUpRunningStatistics(model, batch: 8);
        using var scope = NewDisposeScope();
        const int batch = 4;
        float[] input = RandomInput(model, batch, seed: 13);
        Tensor[] weights = FunctionalForwardTests.OtherWeights(model, seed: modelName.Length + 1);
        Tensor[] own = model.FunctionalParameters().Select(p => p.detach().clone()).ToArray();
        Tensor expected = Reference.Run(reference.Output, tensor(input, [batch, .. model.InputShape.Select(d => (long)d)]), weights, model.named_buffers(), training);

        using var temp = new TempFolder();
        string path = temp.File($"{modelName}.onnx");
        model.ExportOnnx(path, weights, training);
        using var onnx = OnnxModel.Load(path);
        float[] actual = onnx.PredictBatch(input, batch);

        LayerContract.AssertClose(expected, tensor(actual, expected.shape), $"{modelName} (training {training}): ONNX Runtime on other weights vs the reference");
        Assert.True(expected.abs().max().item<double>() > 0.1, $"{modelName}: outputs are all near zero, so the comparison proves little");
        Assert.All(model.FunctionalParameters().Zip(own), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>(), "the export changed the model's weights"));
    }

    internal static SequentialModel Create(string name) => name switch
    {
        nameof(OnlyConv2d) => new OnlyConv2d(),
        nameof(OnlyStridedConv2d) => new OnlyStridedConv2d(),
        nameof(OnlyMaxPool2d) => new OnlyMaxPool2d(),
        nameof(OnlyOverlappingMaxPool2d) => new OnlyOverlappingMaxPool2d(),
        nameof(OnlyFlatten) => new OnlyFlatten(),
        nameof(OnlyDense) => new OnlyDense(),
        nameof(OnlyRelu) => new OnlyRelu(),
        nameof(OnlySoftmax) => new OnlySoftmax(),
        nameof(OnlySoftmaxOverLastAxis) => new OnlySoftmaxOverLastAxis(),
        nameof(OnlyDropout) => new OnlyDropout(),
        nameof(EveryLayerNet) => new EveryLayerNet(),
        nameof(LogitsNet) => new LogitsNet(),
        nameof(SmallMlp) => new SmallMlp(),
        nameof(TinyCnn) => new TinyCnn(),
        nameof(ComposedNet) => new ComposedNet(),
        nameof(RecurrentNet) => new RecurrentNet(),
        nameof(SequenceConvNet) => new SequenceConvNet(),
        nameof(UpsamplingNet) => new UpsamplingNet(),
        nameof(UsesAnotherModel) => new UsesAnotherModel(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// Biases start at zero; random values everywhere make the comparison cover them too. Weights are
    /// drawn at the scale of a trained net (±1/√fan-in) so outputs stay O(1), where an absolute 1e-5
    /// is meaningful for float32.
    /// </summary>
    internal static void RandomizeParameters(SequentialModel model, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach (var parameter in model.parameters())
            {
                double bound = parameter.dim() > 1 ? 1 / Math.Sqrt(parameter.numel() / parameter.shape[0]) : 0.5;
                parameter.copy_(rand(parameter.shape, generator: generator).mul_(2 * bound).sub_(bound));
            }
        }
    }

    /// <summary>A random batch for <paramref name="model"/>: token ids for embedding models, values in [-2, 2) otherwise.</summary>
    internal static float[] RandomInput(SequentialModel model, int batch, int seed)
    {
        int length = batch * model.InputShape.Aggregate(1, (a, b) => a * b);
        return model is RecurrentNet
            ? Enumerable.Range(0, length).Select(i => (float)new Random(seed + i).Next(30)).ToArray()
            : RandomValues(length, seed);
    }

    /// <summary>A few training-mode passes so batch-norm running statistics are not the trivial initial ones.</summary>
    internal static void WarmUpRunningStatistics(SequentialModel model, int batch)
    {
        model.train();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            for (int i = 0; i < 3; i++)
            {
                long[] shape = [batch, .. model.InputShape.Select(d => (long)d)];
                model.forward(tensor(RandomInput(model, batch, seed: 100 + i), shape));
            }
        }
    }

    internal static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    private static float[] RunTorch(SequentialModel model, float[] input, int batch)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            long[] shape = [batch, .. model.InputShape.Select(d => (long)d)];
            return model.forward(tensor(input, shape)).contiguous().data<float>().ToArray();
        }
    }
}
