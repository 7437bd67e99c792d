using System.Text;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// A named attribute of an ONNX node, such as Conv's <c>kernel_shape</c> or Gemm's <c>transB</c>.
/// Immutable; create one with the static factories.
/// </summary>
public sealed class OnnxAttribute
{
    private readonly AttributeProto _proto;

    private OnnxAttribute(AttributeProto proto) => _proto = proto;

    /// <summary>The attribute name as the operator specification spells it.</summary>
    public string Name => _proto.Name;

    /// <summary>An integer attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="v">Value.</param>
    public static OnnxAttribute Int(string name, long v) =>
        new(NewProto(name, AttributeProto.Types.AttributeType.Int, p => p.I = v));

    /// <summary>An integer list attribute, e.g. <c>pads</c> or <c>strides</c>.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="v">Values, copied.</param>
    public static OnnxAttribute Ints(string name, params long[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(NewProto(name, AttributeProto.Types.AttributeType.Ints, p => p.Ints.AddRange(v)));
    }

    /// <summary>A float attribute, e.g. <c>alpha</c> or <c>epsilon</c>.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="v">Value.</param>
    public static OnnxAttribute Float(string name, float v) =>
        new(NewProto(name, AttributeProto.Types.AttributeType.Float, p => p.F = v));

    /// <summary>A float list attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="v">Values, copied.</param>
    public static OnnxAttribute Floats(string name, params float[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(NewProto(name, AttributeProto.Types.AttributeType.Floats, p => p.Floats.AddRange(v)));
    }

    /// <summary>A string attribute, e.g. <c>auto_pad</c> or <c>mode</c>; stored as UTF-8.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="v">Value.</param>
    public static OnnxAttribute String(string name, string v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(NewProto(name, AttributeProto.Types.AttributeType.String,
            p => p.S = ByteString.CopyFrom(Encoding.UTF8.GetBytes(v))));
    }

    /// <summary>A float tensor attribute, e.g. the <c>value</c> of a Constant node.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Tensor values in row-major order, copied.</param>
    /// <param name="dims">Tensor shape; none for a scalar.</param>
    /// <exception cref="ArgumentException">The number of values differs from the product of <paramref name="dims"/>.</exception>
    public static OnnxAttribute Tensor(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var tensor = TensorData.Float(string.Empty, values, dims, $"Tensor attribute '{name}'");
        return new(NewProto(name, AttributeProto.Types.AttributeType.Tensor, p => p.T = tensor));
    }

    /// <summary>An int64 tensor attribute, e.g. the <c>value</c> of a Constant node holding a shape.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Tensor values in row-major order, copied.</param>
    /// <param name="dims">Tensor shape; none for a scalar.</param>
    /// <exception cref="ArgumentException">The number of values differs from the product of <paramref name="dims"/>.</exception>
    public static OnnxAttribute Tensor(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var tensor = TensorData.Int64(string.Empty, values, dims, $"Tensor attribute '{name}'");
        return new(NewProto(name, AttributeProto.Types.AttributeType.Tensor, p => p.T = tensor));
    }

    /// <summary>
    /// A tensor attribute whose bytes lie in an external file next to the model, e.g. a large <c>value</c> of a
    /// Constant node. The file is not read or written here: whoever saves the model writes it.
    /// </summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="type">Element type; any fixed-width type (not <see cref="OnnxElementType.String"/> or <see cref="OnnxElementType.Undefined"/>).</param>
    /// <param name="data">The file and byte range holding the elements, row-major and little-endian.</param>
    /// <param name="dims">Tensor shape; none for a scalar.</param>
    /// <exception cref="ArgumentException">The type has no fixed width, a dim is negative, or <see cref="OnnxExternalData.Length"/> differs from the byte size of the shape.</exception>
    public static OnnxAttribute ExternalTensor(string name, OnnxElementType type, OnnxExternalData data, params long[] dims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var tensor = TensorData.External(string.Empty, type, data, dims, $"Tensor attribute '{name}'");
        return new(NewProto(name, AttributeProto.Types.AttributeType.Tensor, p => p.T = tensor));
    }

    /// <summary>A copy of the attribute as a protobuf message, so that callers cannot change this instance.</summary>
    internal AttributeProto ToProto() => _proto.Clone();

    private static AttributeProto NewProto(string name, AttributeProto.Types.AttributeType type, Action<AttributeProto> setValue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var proto = new AttributeProto { Name = name, Type = type };
        setValue(proto);
        return proto;
    }
}
