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
