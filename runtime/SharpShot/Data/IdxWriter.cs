using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpShot.Onnx;

namespace SharpShot.Data;

/// <summary>
/// Writes IDX files, raw or gzip-compressed, in the byte layout <see cref="IdxReader"/> reads: two zero
/// bytes, the type code, the dimension count, big-endian int32 dimensions, then big-endian values.
/// </summary>
public static class IdxWriter
{
    // Values are byte-swapped through a buffer of this many bytes, so writing never doubles the memory used.
    private const int ChunkBytes = 1 << 16;

    /// <summary>
    /// Writes <paramref name="file"/> to <paramref name="path"/>. The bytes go to a temporary file in the same
    /// folder that is renamed over <paramref name="path"/> once complete, so a failed write never leaves a
    /// half-written file behind.
    /// </summary>
    /// <param name="path">Where to write; an existing file is replaced.</param>
    /// <param name="file">The dimensions and values to write.</param>
    /// <param name="compress">Whether to gzip-compress the file (conventionally named <c>*.gz</c>).</param>
    public static void Write(string path, IdxFile file, bool compress = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(file);
        string fullPath = Path.GetFullPath(path);
        AtomicFile.Write(fullPath, stream =>
        {
            if (compress)
            {
                using var zipped = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                Write(zipped, file);
            }
            else
            {
                Write(stream, file);
            }
        });
    }

    /// <summary>Writes <paramref name="file"/> in the uncompressed IDX layout to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream; left open.</param>
    /// <param name="file">The dimensions and values to write.</param>
    public static void Write(Stream stream, IdxFile file)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(file);
        int rank = file.Dimensions.Count;
        Span<byte> header = stackalloc byte[4 + (4 * rank)];
        header[0] = 0;
        header[1] = 0;
        header[2] = (byte)file.DataType;
        header[3] = (byte)rank;
        for (int i = 0; i < rank; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header[(4 + (4 * i))..], file.Dimensions[i]);
        }

        stream.Write(header);
        // Dispatch on DataType: type tests on the array cannot tell byte[] from sbyte[].
        switch (file.DataType)
        {
            case IdxDataType.UnsignedByte:
                stream.Write(file.GetValues<byte>());
                break;
            case IdxDataType.SignedByte:
                stream.Write(MemoryMarshal.AsBytes(file.GetValues<sbyte>().AsSpan()));
                break;
            case IdxDataType.Int16:
                WriteBigEndian<short>(stream, file.GetValues<short>(), static (source, destination) => BinaryPrimitives.ReverseEndianness(source, destination));
                break;
            case IdxDataType.Int32:
                WriteBigEndian<int>(stream, file.GetValues<int>(), static (source, destination) => BinaryPrimitives.ReverseEndianness(source, destination));
                break;
            case IdxDataType.Single:
                WriteBigEndian<int>(stream, MemoryMarshal.Cast<float, int>(file.GetValues<float>().AsSpan()), static (source, destination) => BinaryPrimitives.ReverseEndianness(source, destination));
                break;
            case IdxDataType.Double:
                WriteBigEndian<long>(stream, MemoryMarshal.Cast<double, long>(file.GetValues<double>().AsSpan()), static (source, destination) => BinaryPrimitives.ReverseEndianness(source, destination));
                break;
            default:
                throw new InvalidOperationException($"Unexpected IDX data type {file.DataType}.");
        }
    }

    private delegate void Reverse<T>(ReadOnlySpan<T> source, Span<T> destination);

    private static void WriteBigEndian<T>(Stream stream, ReadOnlySpan<T> values, Reverse<T> reverse)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        int chunk = ChunkBytes / Unsafe.SizeOf<T>();
        var buffer = new T[Math.Min(chunk, values.Length)];
        for (int start = 0; start < values.Length; start += chunk)
        {
            int count = Math.Min(chunk, values.Length - start);
            reverse(values.Slice(start, count), buffer.AsSpan(0, count));
            stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
        }
    }
}
