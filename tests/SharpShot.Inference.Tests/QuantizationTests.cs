using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>
/// <see cref="OnnxQuantizer"/>: the quantized model runs in ONNX Runtime with float inputs and outputs, gives nearly
/// the float model's answers, and is smaller.
/// </summary>
public class QuantizationTests
{
    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("N");

    private static float[] Random(int count, int seed, float scale = 1f)
    {
        var random = new System.Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
    }

    /// <summary>x [N, 256] → Gemm (transB, alpha, beta, bias) → Relu → MatMul [192, 128] → Gemm (no bias) [128, 10].</summary>
    private static byte[] Dense()
    {
        var b = new OnnxGraphBuilder("dense");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 256]);
        var w1 = b.AddInitializer("w1", Random(192 * 256, 1, 0.1f), 192, 256);
        var c1 = b.AddInitializer("c1", Random(192, 2, 0.1f), 192);
        var h = b.AddNode("Gemm", [x, w1, c1], "h", OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 0.5f), OnnxAttribute.Float("beta", 2f));
        var r = b.AddNode("Relu", [h], "r");
        var w2 = b.AddInitializer("w2", Random(192 * 128, 3, 0.1f), 192, 128);
        var m = b.AddNode("MatMul", [r, w2], "m");
        var w3 = b.AddInitializer("w3", Random(128 * 10, 4, 0.2f), 128, 10);
        var y = b.AddNode("Gemm", [m, w3], "y");
        b.AddOutput(y, OnnxElementType.Float, [Batch, 10]);
        b.SetMetadata("sharpshot.class_labels", "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]");
        return b.ToBytes();
    }

    /// <summary>x [N, 2, 9, 9] → Conv 8×2×3×3 (stride 2, pad 1, bias) → Relu → Conv 4×8×3×3 (no bias) → Flatten → Gemm [64, 5].</summary>
    private static byte[] Convolutional()
    {
        var b = new OnnxGraphBuilder("conv");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 2, 9, 9]);
        var w1 = b.AddInitializer("w1", Random(8 * 2 * 9, 5, 0.4f), 8, 2, 3, 3);
        var b1 = b.AddInitializer("b1", Random(8, 6, 0.1f), 8);
        var c1 = b.AddNode("Conv", [x, w1, b1], "c1",
            OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 2, 2), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        var r = b.AddNode("Relu", [c1], "r");
        var w2 = b.AddInitializer("w2", Random(4 * 8 * 9, 7, 0.3f), 4, 8, 3, 3);
        var c2 = b.AddNode("Conv", [r, w2], "c2", OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        var flat = b.AddNode("Flatten", [c2], "flat");
        var w3 = b.AddInitializer("w3", Random(100 * 5, 8, 0.2f), 100, 5);
        var y = b.AddNode("Gemm", [flat, w3], "y");
        b.AddOutput(y, OnnxElementType.Float, [Batch, 5]);
        return b.ToBytes();
    }

    private static (float[] Float, float[] Quantized) Both(byte[] original, byte[] quantized, int inputLength, int batch, int seed)
    {
        using var reference = OnnxModel.Load(original);
        using var model = OnnxModel.Load(quantized);
        Assert.Equal(reference.InputShape, model.InputShape);
        Assert.Equal(reference.OutputShape, model.OutputShape);
        float[] input = Random(batch * inputLength, seed);
        return (reference.PredictBatch(input, batch), model.PredictBatch(input, batch));
    }

    private static double RelativeError(float[] expected, float[] actual)
    {
        double scale = expected.Max(v => Math.Abs(v));
        return expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / scale;
    }

    private static double Agreement(float[] expected, float[] actual, int width)
    {
        int rows = expected.Length / width, same = 0;
        for (int i = 0; i < rows; i++)
        {
            var e = expected.AsSpan(i * width, width);
            var a = actual.AsSpan(i * width, width);
            same += e.IndexOf(e.ToArray().Max()) == a.IndexOf(a.ToArray().Max()) ? 1 : 0;
        }

        return (double)same / rows;
    }

    [Fact]
    public void Int8_dense_layers_agree_with_float_and_are_smaller()
    {
        byte[] original = Dense();

        QuantizedModel q = OnnxQuantizer.ToDynamicInt8(original);

        Assert.Equal(3, q.Changed.Count);
        Assert.Empty(q.LeftInFloat);
        var (expected, actual) = Both(original, q.Bytes, 256, 200, 11);
        Assert.True(RelativeError(expected, actual) < 0.03, $"relative error {RelativeError(expected, actual):E2}");
        Assert.True(Agreement(expected, actual, 10) >= 0.95, $"agreement {Agreement(expected, actual, 10):P1}");
        Assert.True(q.Bytes.Length * 3.5 < original.Length, $"{q.Bytes.Length} vs {original.Length} bytes");
        var info = OnnxModelInfo.Read(q.Bytes);
        Assert.Equal("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]", info.Metadata["sharpshot.class_labels"]);
        Assert.Contains(info.Proto.Graph.Node, n => n.OpType == "MatMulInteger");
        Assert.DoesNotContain(info.Proto.Graph.Node, n => n.OpType is "MatMul" or "Gemm");
    }

    [Fact]
    public void Int8_convolutions_agree_with_float()
    {
        byte[] original = Convolutional();

        QuantizedModel q = OnnxQuantizer.ToDynamicInt8(original);

        Assert.Equal(3, q.Changed.Count);
        var (expected, actual) = Both(original, q.Bytes, 2 * 81, 100, 12);
        Assert.True(RelativeError(expected, actual) < 0.05, $"relative error {RelativeError(expected, actual):E2}");
        Assert.True(Agreement(expected, actual, 5) >= 0.9, $"agreement {Agreement(expected, actual, 5):P1}");
        Assert.Equal(2, OnnxModelInfo.Read(q.Bytes).Proto.Graph.Node.Count(n => n.OpType == "ConvInteger"));
    }

    [Fact]
    public void Float16_weights_halve_the_model_and_keep_its_answers()
    {
        foreach (var (original, inputLength, width) in new[] { (Dense(), 256, 10), (Convolutional(), 2 * 81, 5) })
        {
            QuantizedModel q = OnnxQuantizer.ToFloat16(original);

            var (expected, actual) = Both(original, q.Bytes, inputLength, 100, 13);
            Assert.True(RelativeError(expected, actual) < 2e-3, $"relative error {RelativeError(expected, actual):E2}");
            Assert.Equal(1.0, Agreement(expected, actual, width));
            Assert.True(q.Bytes.Length < original.Length * 0.6, $"{q.Bytes.Length} vs {original.Length} bytes");
            var info = OnnxModelInfo.Read(q.Bytes);
            Assert.Equal(OnnxElementType.Float, info.Inputs[0].ElementType);
            Assert.Equal(OnnxElementType.Float, info.Outputs[0].ElementType);
            // Only initializers too small to matter (biases of a few values) stay float32.
            Assert.All(info.Proto.Graph.Initializer.Where(t => t.DataType == (int)OnnxElementType.Float),
                t => Assert.True(t.Dims.Aggregate(1L, (a, d) => a * d) < OnnxQuantizer.MinElements, $"{t.Name} stayed float32"));
        }
    }

    [Fact]
    public void Nodes_that_cannot_be_rewritten_stay_float_and_say_why()
    {
        var b = new OnnxGraphBuilder("two-inputs");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 4]);
        var w = b.AddInput("w", OnnxElementType.Float, [4, 3]);
        var m = b.AddNode("MatMul", [x, w], "m");
        var t = b.AddInitializer("t", Random(12, 1), 4, 3);
        var g = b.AddNode("Gemm", [m, t], "g", OnnxAttribute.Int("transA", 1));
        b.AddOutput(g, OnnxElementType.Float, [3, 3]);

        QuantizedModel q = OnnxQuantizer.ToDynamicInt8(b.ToBytes());

        Assert.Empty(q.Changed);
        Assert.Contains(q.LeftInFloat, s => s.Contains("MatMul") && s.Contains("not a constant initializer"));
        Assert.Contains(q.LeftInFloat, s => s.Contains("Gemm") && s.Contains("transA"));
    }

    [Fact]
    public void Broken_models_external_data_and_old_opsets_are_refused_with_reasons()
    {
        var garbage = Assert.Throws<OnnxFormatException>(() => OnnxQuantizer.ToFloat16("not a model"u8.ToArray()));
        var b = new OnnxGraphBuilder("external");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 4]);
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("w.bin", 0, 48), 4, 3);
        b.AddOutput(b.AddNode("MatMul", [x, w], "y"), OnnxElementType.Float, [Batch, 3]);
        var external = Assert.Throws<OnnxFormatException>(() => OnnxQuantizer.ToDynamicInt8(b.ToBytes()));
        var old = new OnnxGraphBuilder("old", opset: 9);
        var ox = old.AddInput("x", OnnxElementType.Float, [Batch, 4]);
        old.AddOutput(old.AddNode("Relu", [ox], "y"), OnnxElementType.Float, [Batch, 4]);
        var opset = Assert.Throws<OnnxFormatException>(() => OnnxQuantizer.ToDynamicInt8(old.ToBytes()));

        Assert.Contains("not an ONNX model", garbage.Message);
        Assert.Contains("external files", external.Message);
        Assert.Contains("opset 9", opset.Message);
    }
}
