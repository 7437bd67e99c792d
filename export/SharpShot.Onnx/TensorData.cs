using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>Builds <see cref="TensorProto"/>s from managed spans, with the shape checks every caller needs.</summary>
internal static class TensorData
{
    /// <summary>A float tensor whose values are stored as little-endian <c>raw_data</c>, the compact form every ONNX reader accepts.</summary>
    public static TensorProto Float(string name, ReadOnlySpan<float> values, long[] dims, string what)
    {
        CheckElementCount(values.Length, dims, what);
        var tensor = NewTensor(name, OnnxElementType.Float, dims);
        if (BitConverter.IsLittleEndian)
        {
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var bytes = new byte[values.Length * sizeof(float)];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
            }
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        return tensor;
    }

    /// <summary>An int64 tensor (shapes, axes, indices) stored as little-endian <c>raw_data</c>.</summary>
    public static TensorProto Int64(string name, ReadOnlySpan<long> values, long[] dims, string what)
    {
        CheckElementCount(values.Length, dims, what);
        var tensor = NewTensor(name, OnnxElementType.Int64, dims);
        if (BitConverter.IsLittleEndian)
        {
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var bytes = new byte[values.Length * sizeof(long)];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
            }
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        return tensor;
    }

    /// <summary>
    /// A tensor whose bytes lie in an external file: <c>data_location</c> EXTERNAL with <c>location</c>, and
    /// <c>offset</c> and <c>length</c> when given, as <c>external_data</c> entries.
    /// </summary>
    public static TensorProto External(string name, OnnxElementType type, OnnxExternalData data, long[] dims, string what)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(dims);
        if (type is OnnxElementType.Undefined or OnnxElementType.String || !Enum.IsDefined(type))
        {
            throw new ArgumentException(
                $"{what} needs a fixed-width element type to be kept in an external file, got {type}.", nameof(type));
        }
        if (dims.Any(d => d < 0))
        {
            throw new ArgumentException($"{what} has a negative dimension in its shape {FormatDims(dims)}.", nameof(dims));
        }
        var byteCount = ByteCount(type, dims);
        if (data.Length is { } length && length != byteCount)
        {
            throw new ArgumentException(
                $"{what} takes {length} bytes of '{data.Location}', but {byteCount} bytes hold a {type} tensor of shape {FormatDims(dims)}.", nameof(data));
        }
        var tensor = NewTensor(name, type, dims);
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = data.Location });
        if (data.Offset != 0)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = data.Offset.ToString(CultureInfo.InvariantCulture) });
        }
        if (data.Length is { } recordedLength)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = recordedLength.ToString(CultureInfo.InvariantCulture) });
        }
        return tensor;
    }

    /// <summary>
    /// Bytes that the elements of a tensor of this type and shape take as <c>raw_data</c> (sub-byte types packed,
    /// the last byte padded); <see langword="null"/> for types without a fixed width (strings, undefined).
    /// Saturates at <see cref="long.MaxValue"/> instead of overflowing.
    /// </summary>
    public static long? ByteCount(OnnxElementType type, IEnumerable<long> dims)
    {
        int bitsPerElement;
        switch (type)
        {
            case OnnxElementType.Uint2 or OnnxElementType.Int2:
                bitsPerElement = 2;
                break;
            case OnnxElementType.Uint4 or OnnxElementType.Int4 or OnnxElementType.Float4E2M1:
                bitsPerElement = 4;
                break;
            case OnnxElementType.Uint8 or OnnxElementType.Int8 or OnnxElementType.Bool or OnnxElementType.Float8E4M3Fn
                or OnnxElementType.Float8E4M3Fnuz or OnnxElementType.Float8E5M2 or OnnxElementType.Float8E5M2Fnuz or OnnxElementType.Float8E8M0:
                bitsPerElement = 8;
                break;
            case OnnxElementType.Uint16 or OnnxElementType.Int16 or OnnxElementType.Float16 or OnnxElementType.BFloat16:
                bitsPerElement = 16;
                break;
            case OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.Uint32:
                bitsPerElement = 32;
                break;
            case OnnxElementType.Int64 or OnnxElementType.Uint64 or OnnxElementType.Double or OnnxElementType.Complex64:
                bitsPerElement = 64;
                break;
            case OnnxElementType.Complex128:
                bitsPerElement = 128;
                break;
            default:
                return null;
        }
        // 2^56 elements of 128 bits already exceed long.MaxValue bits; beyond that, saturate.
        const long maxElements = long.MaxValue / 128;
        long elements = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                return null;
            }
            if (dim != 0 && elements > maxElements / dim)
            {
                return long.MaxValue;
            }
            elements *= dim;
        }
        return (elements * bitsPerElement + 7) / 8;
    }

    /// <summary>Formats dims as <c>[2, 3]</c> for messages.</summary>
    public static string FormatDims(IEnumerable<long> dims) =>
        "[" + string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static TensorProto NewTensor(string name, OnnxElementType type, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static void CheckElementCount(int valueCount, long[] dims, string what)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long expected = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException(
                    $"{what} has a negative dimension in its shape {FormatDims(dims)}.", nameof(dims));
            }
            // Saturate instead of overflowing: any product beyond int.MaxValue can never match a span length.
            expected = expected > int.MaxValue || dim > int.MaxValue ? long.MaxValue : expected * dim;
        }
        if (expected != valueCount)
        {
            var holds = expected == long.MaxValue ? "more than " + int.MaxValue.ToString(CultureInfo.InvariantCulture) : expected.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(
                $"{what} has {valueCount} values but its shape {FormatDims(dims)} holds {holds}.", "values");
        }
    }
}
