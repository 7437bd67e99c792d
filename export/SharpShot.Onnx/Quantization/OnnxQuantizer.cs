using System.Runtime.InteropServices;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// Post-training quantization of any ONNX model, written by this library's ONNX writer: float16 weights
/// (<see cref="ToFloat16"/>), or dynamic int8 (<see cref="ToDynamicInt8"/>). The model's inputs and outputs stay
/// float32, so a host runs the new model exactly as the old one; metadata, opsets and everything else carry over.
/// </summary>
public static class OnnxQuantizer
{
    /// <summary>Float initializers with fewer elements (biases, scales) stay float32: they save nothing worth a node.</summary>
    public const int MinElements = 16;

    /// <summary>
    /// Stores every float32 initializer of at least <see cref="MinElements"/> elements as float16, followed by a
    /// <c>Cast</c> back to float32 under its old name, so all arithmetic stays float32 (ONNX Runtime's CPU provider
    /// lacks float16 kernels for many operators) and the file is about half the size. Values beyond float16's range
    /// are clamped to ±65504.
    /// </summary>
    /// <exception cref="OnnxFormatException">Not an ONNX model, or it keeps tensors in external files.</exception>
    public static QuantizedModel ToFloat16(byte[] model)
    {
        var rewrite = new GraphRewrite(model, "float16");
        var graph = rewrite.Graph;
        var listedAsInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var casts = new List<NodeProto>();
        var changed = new List<string>();
        foreach (TensorProto tensor in graph.Initializer.ToArray())
        {
            // An initializer also listed as a graph input (IR < 4) is a default a caller may override: keep its type.
            if ((OnnxElementType)tensor.DataType != OnnxElementType.Float || ElementCount(tensor) < MinElements || listedAsInputs.Contains(tensor.Name))
            {
                continue;
            }

            float[] values = rewrite.Floats(tensor);
            var halves = new byte[values.Length * 2];
            for (int i = 0; i < values.Length; i++)
            {
                Half half = (Half)Math.Clamp(values[i], -65504f, 65504f);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(halves.AsSpan(i * 2), BitConverter.HalfToUInt16Bits(half));
            }

            string storedName = rewrite.UniqueName(tensor.Name + "_fp16");
            var stored = new TensorProto { Name = storedName, DataType = (int)OnnxElementType.Float16, RawData = ByteString.CopyFrom(halves), DocString = tensor.DocString };
            stored.Dims.AddRange(tensor.Dims);
            graph.Initializer.Remove(tensor);
            graph.Initializer.Add(stored);
            casts.Add(GraphRewrite.Node("Cast", [storedName], [tensor.Name], rewrite.UniqueName(tensor.Name + "_to_float"), ("to", (long)OnnxElementType.Float)));
            changed.Add(tensor.Name);
        }

        // The casts read only initializers, so they can come first: the node list stays topologically sorted.
        var nodes = casts.Concat(graph.Node).ToArray();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        return new QuantizedModel(rewrite.Bytes(), changed, []);
    }

    /// <summary>
    /// Dynamic int8 quantization of <c>MatMul</c>, <c>Gemm</c> (which ONNX Runtime's own Python quantizer leaves in
    /// float) and <c>Conv</c> nodes whose weight is an initializer: the weights are quantized once here (int8,
    /// symmetric, one scale per output column for MatMul and Gemm; uint8 with a zero point, one scale per tensor for
    /// Conv: ONNX Runtime 1.32's CPU <c>ConvInteger</c> refuses a zero point per output channel), the activations at run time by
    /// <c>DynamicQuantizeLinear</c>; <c>MatMulInteger</c> / <c>ConvInteger</c> compute in integers, and the result is
    /// scaled back to float32 (plus the bias). Other nodes, and these when they cannot be rewritten (a weight that is
    /// not an initializer, Gemm with <c>transA</c>), stay float32 and are listed in <see cref="QuantizedModel.LeftInFloat"/>.
    /// </summary>
    /// <exception cref="OnnxFormatException">Not an ONNX model, it keeps tensors in external files, or its default opset is below 10 (the integer operators' first).</exception>
    public static QuantizedModel ToDynamicInt8(byte[] model)
    {
        var rewrite = new GraphRewrite(model, "int8");
        if (rewrite.Opset < 10)
        {
            throw new OnnxFormatException($"The model imports opset {rewrite.Opset}; dynamic int8 quantization needs opset 10 or newer (DynamicQuantizeLinear, MatMulInteger, ConvInteger).");
        }

        var graph = rewrite.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var listedAsInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var consumers = graph.Node.SelectMany(n => n.Input).GroupBy(n => n, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var changed = new List<string>();
        var left = new List<string>();
        var nodes = new List<NodeProto>();
        var unused = new HashSet<string>(StringComparer.Ordinal);
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType is not ("MatMul" or "Gemm" or "Conv") || !(node.Domain is "" or "ai.onnx"))
            {
                nodes.Add(node);
                continue;
            }

            string label = $"{node.OpType} '{(node.Name.Length > 0 ? node.Name : node.Output[0])}'";
            string? weightName = node.Input.Count > 1 ? node.Input[1] : null;
            TensorProto? weight = weightName is not null && !listedAsInputs.Contains(weightName) ? initializers.GetValueOrDefault(weightName) : null;
            string? reason = weight is null ? "its weight is not a constant initializer"
                : (OnnxElementType)weight.DataType != OnnxElementType.Float ? $"its weight is {(OnnxElementType)weight.DataType}, not Float"
                : node.OpType is "MatMul" or "Gemm" && weight.Dims.Count != 2 ? $"its weight has {weight.Dims.Count} axes, not 2"
                : node.OpType == "Conv" && weight.Dims.Count < 3 ? "its weight has fewer than 3 axes"
                : node.OpType == "Gemm" && Attribute(node, "transA") != 0 ? "it transposes its input (transA)"
                : null;
            if (reason is not null)
            {
                left.Add($"{label}: {reason}");
                nodes.Add(node);
                continue;
            }

            nodes.AddRange(node.OpType == "Conv" ? QuantizedConv(rewrite, node, weight!) : QuantizedMatMul(rewrite, node, weight!));
            changed.Add(label);
            if (--consumers[weight!.Name] == 0)
            {
                unused.Add(weight.Name);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        foreach (TensorProto tensor in graph.Initializer.Where(t => unused.Contains(t.Name)).ToArray())
        {
            graph.Initializer.Remove(tensor);
        }

        return new QuantizedModel(rewrite.Bytes(), changed, left);
    }

    /// <summary>MatMul(X, W) or Gemm(X, W, C): X quantized at run time, W per column, then scaled (alpha folded in) and biased (beta folded in).</summary>
    private static IEnumerable<NodeProto> QuantizedMatMul(GraphRewrite rewrite, NodeProto node, TensorProto weight)
    {
        bool gemm = node.OpType == "Gemm";
        float[] w = rewrite.Floats(weight);
        int rows = (int)weight.Dims[0], columns = (int)weight.Dims[1];
        if (gemm && Attribute(node, "transB") != 0)
        {
            // Stored [N, K]: transpose to [K, N], the layout MatMulInteger multiplies by.
            var transposed = new float[w.Length];
            for (int n = 0; n < rows; n++)
            {
                for (int k = 0; k < columns; k++)
                {
                    transposed[(k * rows) + n] = w[(n * columns) + k];
                }
            }

            (w, rows, columns) = (transposed, columns, rows);
        }

        float alpha = gemm ? AttributeFloat(node, "alpha", 1f) : 1f;
        var scales = new float[columns];
        var quantized = new sbyte[w.Length];
        for (int c = 0; c < columns; c++)
        {
            float max = 0;
            for (int r = 0; r < rows; r++)
            {
                max = Math.Max(max, Math.Abs(w[(r * columns) + c]));
            }

            float scale = max > 0 ? max / 127f : 1f;
            for (int r = 0; r < rows; r++)
            {
                quantized[(r * columns) + c] = (sbyte)Math.Clamp(MathF.Round(w[(r * columns) + c] / scale), -127, 127);
            }

            scales[c] = scale * alpha;
        }

        string prefix = rewrite.UniqueName(node.Output[0] + "_int8");
        string wq = rewrite.AddInitializer(prefix + "_weight", OnnxElementType.Int8, MemoryMarshal.AsBytes(quantized.AsSpan()).ToArray(), rows, columns);
        string wzp = rewrite.AddInitializer(prefix + "_weight_zero_point", OnnxElementType.Int8, new byte[columns], columns);
        string ws = rewrite.AddFloats(prefix + "_weight_scale", scales, columns);
        var (quantize, xq, xs, xzp) = DynamicQuantize(rewrite, node.Input[0], prefix);
        yield return quantize;

        yield return GraphRewrite.Node("MatMulInteger", [xq, wq, xzp, wzp], [prefix + "_product"], prefix + "_matmul");
        string? bias = gemm && node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        foreach (NodeProto rescale in Rescale(rewrite, prefix, xs, ws, bias is null ? null : GemmBias(rewrite, node, bias, prefix), node.Output[0]))
        {
            yield return rescale;
        }
    }

    /// <summary>Gemm's C times beta: a new initializer when C is one, else a Mul node's output name (then emitted by the caller's sequence).</summary>
    private static (string Name, NodeProto? Node) GemmBias(GraphRewrite rewrite, NodeProto node, string bias, string prefix)
    {
        float beta = AttributeFloat(node, "beta", 1f);
        if (beta == 1f)
        {
            return (bias, null);
        }

        if (rewrite.Graph.Initializer.FirstOrDefault(t => t.Name == bias) is { DataType: (int)OnnxElementType.Float } constant)
        {
            return (rewrite.AddFloats(prefix + "_bias", rewrite.Floats(constant).Select(v => v * beta).ToArray(), [.. constant.Dims]), null);
        }

        string betaName = rewrite.AddFloats(prefix + "_beta", [beta]);
        return (prefix + "_scaled_bias", GraphRewrite.Node("Mul", [bias, betaName], [prefix + "_scaled_bias"], prefix + "_bias_mul"));
    }

    /// <summary>Conv(X, W, B): X quantized at run time, W per tensor (uint8 with a zero point), integer convolution, scaled back, bias added per channel.</summary>
    private static IEnumerable<NodeProto> QuantizedConv(GraphRewrite rewrite, NodeProto node, TensorProto weight)
    {
        float[] w = rewrite.Floats(weight);
        float min = Math.Min(0f, w.Min()), max = Math.Max(0f, w.Max());
        float scale = max > min ? (max - min) / 255f : 1f;
        byte zeroPoint = (byte)Math.Clamp(MathF.Round(-min / scale), 0, 255);
        var quantized = new byte[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            quantized[i] = (byte)Math.Clamp(MathF.Round(w[i] / scale) + zeroPoint, 0, 255);
        }

        string prefix = rewrite.UniqueName(node.Output[0] + "_int8");
        string wq = rewrite.AddInitializer(prefix + "_weight", OnnxElementType.Uint8, quantized, [.. weight.Dims]);
        string wzp = rewrite.AddInitializer(prefix + "_weight_zero_point", OnnxElementType.Uint8, [zeroPoint]);
        string ws = rewrite.AddFloats(prefix + "_weight_scale", [scale]);
        var (quantize, xq, xs, xzp) = DynamicQuantize(rewrite, node.Input[0], prefix);
        yield return quantize;

        var conv = GraphRewrite.Node("ConvInteger", [xq, wq, xzp, wzp], [prefix + "_product"], prefix + "_conv");
        conv.Attribute.AddRange(node.Attribute);
        yield return conv;
        (string, NodeProto?)? bias = null;
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            // Conv's bias has one value per output channel: shape it [1, M, 1, ...] to add to [N, M, ...].
            long[] shape = [1, weight.Dims[0], .. Enumerable.Repeat(1L, weight.Dims.Count - 2)];
            string shapeName = rewrite.AddInitializer(prefix + "_bias_shape", OnnxElementType.Int64, MemoryMarshal.AsBytes(shape.AsSpan()).ToArray(), shape.Length);
            bias = (prefix + "_bias", GraphRewrite.Node("Reshape", [node.Input[2], shapeName], [prefix + "_bias"], prefix + "_bias_reshape"));
        }

        foreach (NodeProto rescale in Rescale(rewrite, prefix, xs, ws, bias, node.Output[0]))
        {
            yield return rescale;
        }
    }

    /// <summary>The run-time quantization of a node's input, and the names of its three outputs; reserves every name the rewrite derives from <paramref name="prefix"/>.</summary>
    private static (NodeProto Node, string Quantized, string Scale, string ZeroPoint) DynamicQuantize(GraphRewrite rewrite, string input, string prefix)
    {
        string quantized = prefix + "_input", scale = prefix + "_input_scale", zeroPoint = prefix + "_input_zero_point";
        rewrite.Reserve(quantized, scale, zeroPoint, prefix + "_product", prefix + "_product_float", prefix + "_scale", prefix + "_scaled", prefix + "_bias", prefix + "_scaled_bias");
        return (GraphRewrite.Node("DynamicQuantizeLinear", [input], [quantized, scale, zeroPoint], prefix + "_quantize"), quantized, scale, zeroPoint);
    }

    /// <summary>float(product) × (input scale × weight scale) [+ bias] → the original output name.</summary>
    private static IEnumerable<NodeProto> Rescale(GraphRewrite rewrite, string prefix, string inputScale, string weightScale, (string Name, NodeProto? Node)? bias, string output)
    {
        yield return GraphRewrite.Node("Cast", [prefix + "_product"], [prefix + "_product_float"], prefix + "_cast", ("to", (long)OnnxElementType.Float));
        yield return GraphRewrite.Node("Mul", [inputScale, weightScale], [prefix + "_scale"], prefix + "_scale_mul");
        if (bias is not { } b)
        {
            yield return GraphRewrite.Node("Mul", [prefix + "_product_float", prefix + "_scale"], [output], prefix + "_rescale");
            yield break;
        }

        yield return GraphRewrite.Node("Mul", [prefix + "_product_float", prefix + "_scale"], [prefix + "_scaled"], prefix + "_rescale");
        if (b.Node is not null)
        {
            yield return b.Node;
        }

        yield return GraphRewrite.Node("Add", [prefix + "_scaled", b.Name], [output], prefix + "_add_bias");
    }

    private static long Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;

    private static float AttributeFloat(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.F : fallback;

    private static long ElementCount(TensorProto tensor) => tensor.Dims.Aggregate(1L, (a, d) => a * Math.Max(d, 0));
}
