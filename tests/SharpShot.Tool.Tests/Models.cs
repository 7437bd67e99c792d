using SharpShot.Onnx;

namespace SharpShot.Tool.Tests;

/// <summary>Models for the tool's tests, built with the project's ONNX writer.</summary>
internal static class Models
{
    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("N");

    /// <summary>Three inputs of float16, int64 and uint8 over [N, "seq"] plus opset and producer as given: sum as float, and a bool output.</summary>
    public static byte[] MixedTypes(int opset = 17)
    {
        var b = new OnnxGraphBuilder("mixed", opset);
        var half = b.AddInput("half", OnnxElementType.Float16, [Batch, OnnxDimension.Symbolic("seq")]);
        var ids = b.AddInput("ids", OnnxElementType.Int64, [Batch, OnnxDimension.Symbolic("seq")]);
        var pixels = b.AddInput("pixels", OnnxElementType.Uint8, [Batch, OnnxDimension.Symbolic("seq")]);
        var a = b.AddNode("Cast", [half], "a", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        var c = b.AddNode("Cast", [ids], "c", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        var d = b.AddNode("Cast", [pixels], "d", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        var sum = b.AddNode("Sum", [a, c, d], "sum");
        var zero = b.AddInitializer("zero", [0f]);
        var positive = b.AddNode("Greater", [sum, zero], "positive");
        b.AddOutput(sum, OnnxElementType.Float, [Batch, OnnxDimension.Symbolic("seq")]);
        b.AddOutput(positive, OnnxElementType.Bool, [Batch, OnnxDimension.Symbolic("seq")]);
        return b.ToBytes();
    }

    /// <summary>
    /// A 2-class image classifier on [N, 1, 4, 4] raw pixels: class "dark" scores the mean darkness, "light" the mean
    /// brightness (Softmax output), with an image contract and class labels, as SharpShot exports.
    /// </summary>
    public static byte[] DarkOrLight(bool describeImages = true)
    {
        var b = new OnnxGraphBuilder("dark-or-light");
        var x = b.AddInput("input", OnnxElementType.Float, [Batch, 1, 4, 4]);
        var shape = b.AddInitializer("shape", [0L, 16L], 2);
        var flat = b.AddNode("Reshape", [x, shape], "flat");
        var weights = b.AddInitializer("w", Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? -1f / 255 : 1f / 255).ToArray(), 16, 2);
        var bias = b.AddInitializer("b", [8f, -8f], 2);
        var logits = b.AddNode("Gemm", [flat, weights, bias], "logits");
        var probabilities = b.AddNode("Softmax", [logits], "probabilities");
        b.AddOutput(probabilities, OnnxElementType.Float, [Batch, 2]);
        b.SetMetadata(SharpShotMetadata.ClassLabels, "[\"dark\",\"light\"]");
        b.SetMetadata(SharpShotMetadata.Output, "probabilities");
        if (describeImages)
        {
            b.SetMetadata(SharpShotMetadata.InputImage, new ImageInputContract(1, 4, 4, [1], [0], normalizedInGraph: true).ToJson());
        }

        return b.ToBytes();
    }

    /// <summary>An embedding of [N, 1, 4, 4] raw pixels: the 16 pixels scaled to [0, 1], as a few-shot embedding would.</summary>
    public static byte[] PixelEmbedding() => PixelEmbedding(attributeMap: null);

    /// <summary>
    /// <see cref="PixelEmbedding()"/> naming an attribute map <paramref name="attributeMap"/> beside it with one attribute,
    /// <c>brightness</c> (a zero-shot embedding's metadata); no map when null.
    /// </summary>
    public static byte[] PixelEmbedding(string? attributeMap)
    {
        var b = new OnnxGraphBuilder("pixels");
        var x = b.AddInput("input", OnnxElementType.Float, [Batch, 1, 4, 4]);
        var shape = b.AddInitializer("shape", [0L, 16L], 2);
        var flat = b.AddNode("Reshape", [x, shape], "flat");
        var scale = b.AddInitializer("scale", [1f / 255]);
        var scaled = b.AddNode("Mul", [flat, scale], "embedding");
        b.AddOutput(scaled, OnnxElementType.Float, [Batch, 16]);
        b.SetMetadata(SharpShotMetadata.InputImage, new ImageInputContract(1, 4, 4, [1], [0], normalizedInGraph: true).ToJson());
        if (attributeMap is not null)
        {
            b.SetMetadata(SharpShotMetadata.AttributeMap, attributeMap);
            b.SetMetadata(SharpShotMetadata.AttributeNames, "[\"brightness\"]");
        }

        return b.ToBytes();
    }

    /// <summary>The attribute map of <see cref="PixelEmbedding(string?)"/>: brightness b (0 to 1) → the embedding of a flat image of b·255.</summary>
    public static byte[] BrightnessMap()
    {
        var b = new OnnxGraphBuilder("attribute_map");
        var x = b.AddInput("input", OnnxElementType.Float, [Batch, 1]);
        var w = b.AddInitializer("map.weight", Enumerable.Repeat(1f, 16).ToArray(), 16, 1);
        var output = b.AddNode("Gemm", [x, w], "output", OnnxAttribute.Int("transB", 1));
        b.AddOutput(output, OnnxElementType.Float, [Batch, 16]);
        return b.ToBytes();
    }

    /// <summary>
    /// A 2-way "adaptive" model as <c>MetaLearner.ExportAdaptiveOnnx</c> lays it out (support_x, support_y, query_x →
    /// query_logits, adaptation metadata) whose graph adapts by the support set's class mean brightness: a query's logit for
    /// a class is minus its distance to that mean.
    /// </summary>
    public static byte[] BrightnessAdaptive()
    {
        var support = OnnxDimension.Symbolic("support");
        var query = OnnxDimension.Symbolic("query");
        var b = new OnnxGraphBuilder("adaptive");
        var sx = b.AddInput("support_x", OnnxElementType.Float, [support, 1, 4, 4]);
        var sy = b.AddInput("support_y", OnnxElementType.Int64, [support]);
        var qx = b.AddInput("query_x", OnnxElementType.Float, [query, 1, 4, 4]);
        var flat = b.AddInitializer("flat", [0L, 16L], 2);
        var brightness = b.AddNode("ReduceMean", [b.AddNode("Reshape", [sx, flat], "support_flat")], "support_brightness", OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        var oneHot = b.AddNode("OneHot", [sy, b.AddInitializer("ways", [2L]), b.AddInitializer("values", [0f, 1f], 2)], "one_hot", OnnxAttribute.Int("axis", -1));
        var sums = b.AddNode("MatMul", [b.AddNode("Unsqueeze", [brightness, b.AddInitializer("zero", [0L], 1)], "row"), oneHot], "sums");
        var counts = b.AddNode("ReduceSum", [oneHot, b.AddInitializer("axis0", [0L], 1)], "counts", OnnxAttribute.Int("keepdims", 1));
        var means = b.AddNode("Div", [sums, counts], "means");
        var queryBrightness = b.AddNode("ReduceMean", [b.AddNode("Reshape", [qx, flat], "query_flat")], "query_brightness", OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));
        var logits = b.AddNode("Neg", [b.AddNode("Abs", [b.AddNode("Sub", [queryBrightness, means], "difference")], "distance")], "query_logits");
        b.AddOutput(logits, OnnxElementType.Float, [query, 2]);
        b.SetMetadata(SharpShotMetadata.InputImage, new ImageInputContract(1, 4, 4, [1], [0], normalizedInGraph: true).ToJson());
        b.SetMetadata(SharpShotMetadata.Adaptation, "{\"algorithm\":\"Maml\",\"task\":\"Classification\",\"steps\":3,\"ways\":2}");
        return b.ToBytes();
    }

    /// <summary>A 4 x 4 grey PNG of one value.</summary>
    public static byte[] Flat(byte value) => TestImages.Png(4, 4, Enumerable.Repeat(value, 16).ToArray());
}
