using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace SharpShot.Data;

/// <summary>
/// Reads IDX files, raw or gzip-compressed. The header is checked field by field and the data length must
/// match it exactly, so a truncated download or a wrong file fails here with a message naming the file,
/// rather than later as mislabelled samples.
/// </summary>
public static class IdxReader
{
    // Deflate cannot expand data by more than about 1032:1; a header that asks for more than that from a
    // gzip file is certainly truncated or corrupt, and this lets us say so before allocating the array.
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads the IDX file at <paramref name="path"/>, decompressing it first when it starts with the gzip magic bytes (1F 8B).</summary>
    /// <param name="path">The file; its name does not matter (compression is detected from its content).</param>
    /// <returns>The dimensions and values, with <see cref="IdxFile.SourcePath"/> set to the full path.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IdxFormatException">The file is not a valid IDX file: bad magic number, unknown type code, bad dimensions, corrupt gzip data, or data shorter or longer than the header declares.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"IDX file '{fullPath}' does not exist.", fullPath);
        }

        using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        long fileLength = file.Length;
        Span<byte> magic = stackalloc byte[2];
        bool gzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        file.Position = 0;
        if (!gzip)
        {
            return ReadIdx(file, fullPath, fileLength, compressed: false);
        }

        using var unzipped = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            return ReadIdx(unzipped, fullPath, fileLength, compressed: true);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(fullPath, $"the gzip data is corrupt ({e.Message}).", e);
        }
    }

    private static IdxFile ReadIdx(Stream stream, string path, long fileLength, bool compressed)
    {
        // Sizes in messages count decompressed bytes for gzip files; say so.
        string where = compressed ? " (after gzip decompression)" : string.Empty;

        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw new IdxFormatException(path, $"the file is {got} bytes long{where}; an IDX file starts with a 4-byte magic number.", null);
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new IdxFormatException(
                path,
                $"bad magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}{where}; an IDX file starts with two zero bytes, a type code and a dimension count (e.g. 0x00000803).",
                null);
        }

        var type = (IdxDataType)magic[2];
        if (!Enum.IsDefined(type))
        {
            throw new IdxFormatException(
                path,
                $"unknown data type code 0x{magic[2]:X2} in the magic number; expected 0x08 (ubyte), 0x09 (sbyte), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64).",
                null);
        }

        int rank = magic[3];
        if (rank is < 1 or > IdxFile.MaxRank)
        {
            throw new IdxFormatException(path, $"the header declares {rank} dimensions; expected 1 to {IdxFile.MaxRank}.", null);
        }

        Span<byte> dimensionBytes = stackalloc byte[4 * rank];
        got = stream.ReadAtLeast(dimensionBytes, dimensionBytes.Length, throwOnEndOfStream: false);
        if (got < dimensionBytes.Length)
        {
            throw new IdxFormatException(
                path,
                $"the header declares {rank} dimensions ({dimensionBytes.Length} bytes) but only {got} bytes follow the magic number{where}.",
                null);
        }

        var dimensions = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(dimensionBytes[(4 * i)..]);
            if (dimensions[i] <= 0)
            {
                throw new IdxFormatException(
                    path,
                    $"dimension {i} of {rank} is {dimensions[i]} (header dimensions: {string.Join(", ", ReadAll(dimensionBytes))}); every dimension must be positive.",
                    null);
            }

            // Capped so that eight large dimensions cannot overflow the product before the size check below.
            elements = Math.Min(elements * dimensions[i], (long)int.MaxValue + 1);
        }

        int headerLength = 4 + dimensionBytes.Length;
        int elementSize = IdxFile.ElementSize(type);
        string shape = $"{IdxFile.DescribeShape(dimensions)} {IdxFile.TypeName(type)}";
        long payloadLength = elements * elementSize;
        if (payloadLength > Array.MaxLength)
        {
            throw new IdxFormatException(
                path,
                $"the header declares {shape}, more than {Array.MaxLength} bytes of data; files this large are not supported.",
                null);
        }

        // Check what we can before allocating, so that a bad header cannot make us allocate gigabytes.
        if (!compressed)
        {
            long available = fileLength - headerLength;
            if (available != payloadLength)
            {
                throw LengthMismatch(path, shape, payloadLength, headerLength, available, where);
            }
        }
        else if (payloadLength > fileLength * MaxDeflateRatio)
        {
            throw new IdxFormatException(
                path,
                $"expected {payloadLength} bytes of data ({shape}) after the {headerLength}-byte header, but a {fileLength}-byte gzip file cannot decompress to that much; it is truncated or not the file the header belongs to.",
                null);
        }

        Array data = type switch
        {
            IdxDataType.UnsignedByte => ReadPayload<byte>(stream, (int)elements, path, shape, headerLength, where),
            IdxDataType.SignedByte => ReadPayload<sbyte>(stream, (int)elements, path, shape, headerLength, where),
            IdxDataType.Int16 => ReadPayload<short>(stream, (int)elements, path, shape, headerLength, where),
            IdxDataType.Int32 => ReadPayload<int>(stream, (int)elements, path, shape, headerLength, where),
            IdxDataType.Single => ReadPayload<float>(stream, (int)elements, path, shape, headerLength, where),
            _ => ReadPayload<double>(stream, (int)elements, path, shape, headerLength, where),
        };

        // One byte past the declared size is enough to know the file is wrong: reading on would let a small gzip file
        // decompress without bound (a raw file's length was checked above, so this finds trailing data only in gzip).
        if (stream.ReadByte() >= 0)
        {
            throw new IdxFormatException(
                path,
                $"expected {payloadLength} bytes of data ({shape}) after the {headerLength}-byte header, found more: trailing data{where} (reading stopped at the first byte beyond the declared size).",
                null);
        }

        FromBigEndian(data, type);
        return new IdxFile(dimensions, data, path);
    }

    private static T[] ReadPayload<T>(Stream stream, int count, string path, string shape, int headerLength, string where)
        where T : unmanaged
    {
        var values = GC.AllocateUninitializedArray<T>(count);
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
        {
            throw LengthMismatch(path, shape, bytes.Length, headerLength, got, where);
        }

        return values;
    }

    private static IdxFormatException LengthMismatch(string path, string shape, long expected, int headerLength, long found, string where)
    {
        string problem = found < expected
            ? $"expected {expected} bytes of data ({shape}) after the {headerLength}-byte header, found {found}; the file is truncated{where}."
            : $"expected {expected} bytes of data ({shape}) after the {headerLength}-byte header, found {found}: {found - expected} trailing {(found - expected == 1 ? "byte" : "bytes")}{where}.";
        return new IdxFormatException(path, problem, null);
    }

    // IDX stores multi-byte values big-endian; swap them in place on little-endian machines.
    private static void FromBigEndian(Array data, IdxDataType type)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return;
        }

        switch (type)
        {
            case IdxDataType.Int16:
                var shorts = (short[])data;
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case IdxDataType.Int32:
                var ints = (int[])data;
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case IdxDataType.Single:
                Span<int> floatBits = MemoryMarshal.Cast<float, int>(((float[])data).AsSpan());
                BinaryPrimitives.ReverseEndianness(floatBits, floatBits);
                break;
            case IdxDataType.Double:
                Span<long> doubleBits = MemoryMarshal.Cast<double, long>(((double[])data).AsSpan());
                BinaryPrimitives.ReverseEndianness(doubleBits, doubleBits);
                break;
        }
    }

    private static IEnumerable<string> ReadAll(ReadOnlySpan<byte> dimensionBytes)
    {
        var values = new string[dimensionBytes.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32BigEndian(dimensionBytes[(4 * i)..]).ToString(CultureInfo.InvariantCulture);
        }

        return values;
    }
}
