using SharpShot.Onnx;
using SharpShot.Onnx.Proto;

namespace SharpShot.Tool;

/// <summary>What <c>inspect</c> counts in a model's main graph: parameters (initializer elements), their bytes, nodes by operator.</summary>
internal sealed record ModelStats(long Parameters, long ParameterBytes, int Initializers, int Nodes, IReadOnlyList<(string OpType, int Count)> NodesByOp)
{
    public static ModelStats Of(ModelProto model)
    {
        long parameters = 0, bytes = 0;
        foreach (TensorProto tensor in model.Graph.Initializer)
        {
            long count = 1;
            foreach (long d in tensor.Dims)
            {
                count = d < 0 ? 0 : SaturatingMultiply(count, d);
            }

            parameters = SaturatingAdd(parameters, count);
            bytes = SaturatingAdd(bytes, BytesOf(tensor, count));
        }

        var byOp = model.Graph.Node.GroupBy(n => string.IsNullOrEmpty(n.Domain) || n.Domain == "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}", StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count()))
            .OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToArray();
        return new ModelStats(parameters, bytes, model.Graph.Initializer.Count, model.Graph.Node.Count, byOp);
    }

    /// <summary>Stored bytes: the external data's declared length, the raw bytes, or the element count times the element size (also for external data that declares no length).</summary>
    private static long BytesOf(TensorProto tensor, long count)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External
            && long.TryParse(tensor.ExternalData.FirstOrDefault(e => e.Key == "length")?.Value, out long declared))
        {
            return declared;
        }

        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.Length;
        }

        if ((OnnxElementType)tensor.DataType == OnnxElementType.String)
        {
            return tensor.StringData.Sum(s => (long)s.Length);
        }

        double size = (OnnxElementType)tensor.DataType switch
        {
            OnnxElementType.Double or OnnxElementType.Int64 or OnnxElementType.Uint64 or OnnxElementType.Complex64 => 8,
            OnnxElementType.Complex128 => 16,
            OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.Uint32 => 4,
            OnnxElementType.Float16 or OnnxElementType.BFloat16 or OnnxElementType.Int16 or OnnxElementType.Uint16 => 2,
            OnnxElementType.Uint4 or OnnxElementType.Int4 or OnnxElementType.Float4E2M1 => 0.5,
            OnnxElementType.Uint2 or OnnxElementType.Int2 => 0.25,
            _ => 1,
        };
        return (long)Math.Ceiling(count * size);
    }

    private static long SaturatingMultiply(long a, long b) => b != 0 && a > long.MaxValue / b ? long.MaxValue : a * b;

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
