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

    /// <summary>Bytes one element of <paramref name="elementType"/> takes (bool: one).</summary>
    /// <exception cref="ArgumentException">The element type is not one <see cref="OnnxTensor"/> carries.</exception>
    public static int ElementSize(OnnxElementType elementType) =>
        TensorElementTypes.ClrType(elementType) is not null
            ? TensorElementTypes.Size(elementType)
            : throw new ArgumentException($"{elementType} is not an element type OnnxTensor carries ({TensorElementTypes.SupportedList}).", nameof(elementType));

    /// <summary>
    /// A tensor copied from raw bytes: little-endian, row-major, no padding, each element in its native size (bool: one byte,
    /// any non-zero byte is true) — the layout of ONNX's raw data and of the Open Inference Protocol's binary tensors.
    /// </summary>
    /// <exception cref="ArgumentException">The element type is not carried, an axis is negative, or the byte count is not the shape's size times the element size.</exception>
    public static OnnxTensor FromBytes(OnnxElementType elementType, ReadOnlySpan<byte> bytes, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int size = ElementSize(elementType);
        long count = 1;
        foreach (var axis in shape)
        {
            if (axis < 0)
            {
                throw new ArgumentException($"The shape {Format(shape)} has a negative axis.", nameof(shape));
            }
            count = axis == 0 || count == 0 ? 0 : checked(count * axis);
        }
        if (count > Array.MaxLength || count * size != bytes.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{elementType}{Format(shape)} takes {count} × {size} bytes; {bytes.Length} were given."), nameof(bytes));
        }

        var data = Array.CreateInstance(TensorElementTypes.ClrType(elementType)!, count);
        Span<byte> target = WritableBytes(data, bytes.Length);
        if (elementType == OnnxElementType.Bool)
        {
            // A bool must hold 0 or 1: any other byte would be a value .NET has no name for.
            for (int i = 0; i < bytes.Length; i++)
            {
                target[i] = bytes[i] == 0 ? (byte)0 : (byte)1;
            }
        }
        else
        {
            bytes.CopyTo(target);
            if (!BitConverter.IsLittleEndian && size > 1)
            {
                ReverseEach(target, size);
            }
        }
        return new OnnxTensor(elementType, (long[])shape.Clone(), data);
    }

    /// <summary>Number of bytes <see cref="CopyBytesTo"/> writes: <see cref="ElementCount"/> times the element size.</summary>
    public long ByteCount => ElementCount * TensorElementTypes.Size(ElementType);

    /// <summary>Copies the values as raw bytes (the layout <see cref="FromBytes"/> reads) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ByteCount"/>.</exception>
    public void CopyBytesTo(Span<byte> destination)
    {
        if (destination.Length < ByteCount)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The destination holds {destination.Length} bytes; the tensor takes {ByteCount}."), nameof(destination));
        }

        Span<byte> target = destination[..checked((int)ByteCount)];
        WritableBytes(Data, target.Length).CopyTo(target);
        int size = TensorElementTypes.Size(ElementType);
        if (!BitConverter.IsLittleEndian && size > 1)
        {
            ReverseEach(target, size);
        }
    }

    private static Span<byte> WritableBytes(Array data, int length) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(data), length);

    private static void ReverseEach(Span<byte> bytes, int size)
    {
        for (int i = 0; i < bytes.Length; i += size)
        {
            bytes.Slice(i, size).Reverse();
        }
    }

    /// <summary>The tensor as <c>Float[1, 10]</c>, for messages.</summary>
    public override string ToString() => $"{ElementType}{Format(_shape)}";

    internal static OnnxTensor FromOwnedArray(OnnxElementType elementType, long[] shape, Array data) => new(elementType, shape, data);

    internal static string Format(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
