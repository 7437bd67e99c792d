using System.Globalization;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// A tensor for <see cref="OnnxModel.Run"/>: an element type, a shape and the values in row-major order, held in a
/// managed array of the matching .NET type (see <see cref="Create{T}(T[], long[])"/>).
/// </summary>
/// <remarks>
/// Supported element types and their arrays: <c>float</c> (<see cref="OnnxElementType.Float"/>), <see cref="Half"/>
/// (<see cref="OnnxElementType.Float16"/>), <c>double</c>, <c>sbyte</c> (Int8), <c>byte</c> (Uint8), <c>short</c>,
/// <c>ushort</c>, <c>int</c>, <c>uint</c>, <c>long</c>, <c>ulong</c> and <c>bool</c>. Strings, bfloat16, 8-bit floats
/// and complex numbers are not.
/// </remarks>
public sealed class OnnxTensor
{
    private readonly long[] _shape;

    private OnnxTensor(OnnxElementType elementType, long[] shape, Array data)
    {
        ElementType = elementType;
        _shape = shape;
        Shape = Array.AsReadOnly(shape);
        Data = data;
    }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The axes; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The values in row-major order: a <c>float[]</c>, <c>Half[]</c>, <c>long[]</c>… matching <see cref="ElementType"/>.</summary>
    public Array Data { get; }

    /// <summary>Number of values: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => Data.LongLength;

    internal long[] ShapeArray => _shape;

    /// <summary>A tensor over <paramref name="data"/> (not copied; do not change it while a run reads it).</summary>
    /// <typeparam name="T">One of the supported element types listed on <see cref="OnnxTensor"/>.</typeparam>
    /// <param name="data">The values, row-major.</param>
    /// <param name="shape">The axes; none for a scalar. Their product must equal <paramref name="data"/>'s length.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not supported, an axis is negative, or the shape's size differs from the data's length.</exception>
    public static OnnxTensor Create<T>(T[] data, params long[] shape)
        where T : unmanaged => Create((Array)data, shape);

    /// <summary>A tensor over an array whose element type is known only at run time (e.g. one built by concatenating tensors); the same checks as <see cref="Create{T}(T[], long[])"/>.</summary>
    /// <param name="data">A one-dimensional array of a supported element type, row-major (not copied).</param>
    /// <param name="shape">The axes; their product must equal the array's length.</param>
    /// <exception cref="ArgumentException">The array's element type is not supported or it is not one-dimensional, an axis is negative, or the sizes differ.</exception>
    public static OnnxTensor Create(Array data, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var clrType = data.GetType().GetElementType()!;
        var elementType = data.Rank == 1 ? TensorElementTypes.Of(clrType) ?? null : null;
        if (elementType is null)
        {
            throw new ArgumentException(
                $"{data.GetType().Name} is not a one-dimensional array of a supported tensor element type; use one of {TensorElementTypes.SupportedList}.", nameof(data));
        }

        long count = 1;
        foreach (var axis in shape)
        {
            if (axis < 0)
            {
                throw new ArgumentException($"The shape {Format(shape)} has a negative axis.", nameof(shape));
            }
            count = axis == 0 || count == 0 ? 0 : checked(count * axis);
        }
        if (count != data.LongLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The shape {Format(shape)} holds {count} values but the data has {data.LongLength}."), nameof(data));
        }
        return new OnnxTensor(elementType.Value, (long[])shape.Clone(), data);
    }

    /// <summary>The values as an array of <typeparamref name="T"/> (the same array, not a copy).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the .NET type of <see cref="ElementType"/>.</exception>
    public T[] GetData<T>()
        where T : unmanaged =>
        Data as T[] ?? throw new InvalidOperationException(
            $"The tensor holds {ElementType} values ({Data.GetType().GetElementType()!.Name}), not {typeof(T).Name}.");

    /// <summary>The tensor as <c>Float[1, 10]</c>, for messages.</summary>
    public override string ToString() => $"{ElementType}{Format(_shape)}";

    internal static OnnxTensor FromOwnedArray(OnnxElementType elementType, long[] shape, Array data) => new(elementType, shape, data);

    internal static string Format(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
