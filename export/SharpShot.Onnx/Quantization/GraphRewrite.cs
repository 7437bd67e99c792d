using System.Buffers.Binary;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// A model being rewritten in place: its main graph, the names already taken (so new ones never collide), and
/// float initializers read whatever way they are stored.
/// </summary>
internal sealed class GraphRewrite
{
    private readonly ModelProto _model;
    private readonly HashSet<string> _names;

    /// <exception cref="OnnxFormatException">Not an ONNX model, or a tensor lives in an external file.</exception>
    public GraphRewrite(byte[] model, string what)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = OnnxModelInfo.Read(model).Proto.Clone();
        try
        {
            // Without a folder, any external location is refused.
            ExternalDataInliner.Locate(_model.Graph, modelFolder: null);
        }
        catch (NotSupportedException e)
        {
            throw new OnnxFormatException($"The model keeps tensors in external files ({e.Message}); {what} quantization needs them inline: save the model as one file first.", e);
        }

        Graph = _model.Graph;
        Opset = _model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        _names = new HashSet<string>(StringComparer.Ordinal);
        _names.UnionWith(Graph.Input.Select(v => v.Name));
        _names.UnionWith(Graph.Output.Select(v => v.Name));
        _names.UnionWith(Graph.ValueInfo.Select(v => v.Name));
        _names.UnionWith(Graph.Initializer.Select(t => t.Name));
        _names.UnionWith(Graph.Node.SelectMany(n => n.Output.Concat(n.Input)));
        _names.UnionWith(Graph.Node.Select(n => n.Name));
    }

    public GraphProto Graph { get; }

    /// <summary>The default domain's opset.</summary>
    public long Opset { get; }

    /// <summary><paramref name="hint"/>, or it with a number appended, not yet used in the graph; reserved from now on.</summary>
    public string UniqueName(string hint)
    {
        string name = hint;
        for (int i = 1; !_names.Add(name); i++)
        {
            name = $"{hint}_{i}";
        }

        return name;
    }

    /// <summary>Marks names as taken (a rewrite that derives them from one unique prefix).</summary>
    public void Reserve(params string[] names) => _names.UnionWith(names);

    public string AddInitializer(string hint, OnnxElementType type, byte[] bytes, params long[] dims)
    {
        string name = UniqueName(hint);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return name;
    }

    public string AddFloats(string hint, float[] values, params long[] dims)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return AddInitializer(hint, OnnxElementType.Float, bytes, dims);
    }

    /// <summary>The values of a float initializer, from <c>raw_data</c> or <c>float_data</c>.</summary>
    /// <exception cref="OnnxFormatException">The stored values do not match the shape.</exception>
    public float[] Floats(TensorProto tensor)
    {
        long count = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        float[] values;
        if (!tensor.RawData.IsEmpty)
        {
            ReadOnlySpan<byte> raw = tensor.RawData.Span;
            values = new float[raw.Length / sizeof(float)];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
            }
        }
        else
        {
            values = tensor.FloatData.ToArray();
        }

        if (values.Length != count)
        {
            throw new OnnxFormatException($"Initializer '{tensor.Name}' holds {values.Length} values; its shape [{string.Join(", ", tensor.Dims)}] needs {count}.");
        }

        return values;
    }

    public byte[] Bytes() => _model.ToByteArray();

    public static NodeProto Node(string opType, string[] inputs, string[] outputs, string name, params (string Name, long Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (attributeName, value) in attributes)
        {
            node.Attribute.Add(new AttributeProto { Name = attributeName, Type = AttributeProto.Types.AttributeType.Int, I = value });
        }

        return node;
    }
}
