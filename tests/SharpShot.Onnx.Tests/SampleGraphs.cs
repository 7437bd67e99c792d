namespace SharpShot.Onnx.Tests;

/// <summary>Small graphs shared by the tests.</summary>
internal static class SampleGraphs
{
    /// <summary>
    /// The seed network's shape in miniature: Conv(2 filters, 3x3) → Relu → MaxPool(2) → Reshape to
    /// [N, 8] → Gemm(8 → 3), for a [N, 1, 6, 6] float input with a symbolic batch "N".
    /// </summary>
    public static OnnxGraphBuilder SmallCnn(int opset = OnnxGraphBuilder.DefaultOpset)
    {
        var b = new OnnxGraphBuilder("small_cnn", opset);
        var x = b.AddInput("image", OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 1, 6, 6]);
        var convW = b.AddInitializer("conv.weight", Ramp(2 * 1 * 3 * 3, 0.1f), 2, 1, 3, 3);
        var convB = b.AddInitializer("conv.bias", [0.5f, -0.5f], 2);
        var conv = b.AddNode("Conv", [x, convW, convB], "conv",
            OnnxAttribute.Ints("kernel_shape", 3, 3), OnnxAttribute.Ints("strides", 1, 1), OnnxAttribute.Ints("pads", 0, 0, 0, 0));
        var relu = b.AddNode("Relu", [conv], "relu");
        var pool = b.AddNode("MaxPool", [relu], "pool",
            OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
        var shape = b.AddInitializer("flatten.shape", [0L, -1L], 2);
        var flat = b.AddNode("Reshape", [pool, shape], "flatten");
        var denseW = b.AddInitializer("dense.weight", Ramp(3 * 8, -0.05f), 3, 8);
        var denseB = b.AddInitializer("dense.bias", [0.1f, 0.2f, 0.3f], 3);
        var logits = b.AddNode("Gemm", [flat, denseW, denseB], "logits", OnnxAttribute.Int("transB", 1));
        b.AddOutput(logits, OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 3]);
        b.SetMetadata(SharpShotMetadata.InputShape, "1,6,6");
        b.SetMetadata(SharpShotMetadata.ClassLabels, "[\"a\",\"b\",\"c\"]");
        return b;
    }

    /// <summary>The smallest valid model: Relu over a [N, 4] float input.</summary>
    public static OnnxGraphBuilder TinyRelu()
    {
        var b = new OnnxGraphBuilder("tiny");
        var x = b.AddInput("x", OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 4]);
        var y = b.AddNode("Relu", [x], "y");
        b.AddOutput(y, OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 4]);
        return b;
    }

    /// <summary>count values starting at step, increasing by step, with alternating signs.</summary>
    public static float[] Ramp(int count, float step) =>
        Enumerable.Range(0, count).Select(i => (i % 2 == 0 ? 1 : -1) * step * (i + 1)).ToArray();
}
