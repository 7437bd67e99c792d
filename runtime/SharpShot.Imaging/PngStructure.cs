using System.Buffers.Binary;

namespace SharpShot.Imaging;

/// <summary>
/// Checks a PNG's structure before decoding: the IHDR chunk first with 13 bytes, every chunk whole and every
/// critical chunk's CRC right, image data present and an IEND chunk. Corrupt or truncated files fail here with a
/// precise reason instead of inside the decoder.
/// </summary>
internal static class PngStructure
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Checks the chunks and returns the width and height IHDR declares.</summary>
    /// <exception cref="ImageDecodeException">The structure is broken; the message says where.</exception>
    public static (long Width, long Height) Check(byte[] data, string? sourceName)
    {
        int position = Signature.Length;
        bool sawData = false;
        long width = 0, height = 0;
        bool first = true;
        while (true)
        {
            if (data.Length - position < 12)
            {
                throw new ImageDecodeException($"the PNG data is truncated: it ends after {data.Length} bytes, before the IEND chunk.", sourceName);
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            ReadOnlySpan<byte> typeBytes = data.AsSpan(position + 4, 4);
            string type = System.Text.Encoding.ASCII.GetString(typeBytes);
            if (length > (uint)(data.Length - position - 12))
            {
                throw new ImageDecodeException(
                    $"the PNG data is truncated or corrupt: chunk '{type}' at byte {position} declares {length} bytes but only {data.Length - position - 12} follow.", sourceName);
            }

            ReadOnlySpan<byte> body = data.AsSpan(position + 8, (int)length);
            bool critical = (typeBytes[0] & 0x20) == 0;
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 8 + (int)length));
            if (critical && stored != Crc32(data.AsSpan(position + 4, 4 + (int)length)))
            {
                throw new ImageDecodeException($"the PNG data is corrupt: the CRC of chunk '{type}' at byte {position} does not match its contents.", sourceName);
            }

            if (first)
            {
                if (type != "IHDR" || length != 13)
                {
                    throw new ImageDecodeException($"the PNG data is corrupt: the first chunk is '{type}' ({length} bytes); expected 'IHDR' (13 bytes).", sourceName);
                }

                width = BinaryPrimitives.ReadUInt32BigEndian(body);
                height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                first = false;
            }
            else if (type == "IDAT")
            {
                sawData = true;
            }
            else if (type == "IEND")
            {
                if (!sawData)
                {
                    throw new ImageDecodeException("the PNG data is corrupt: it has no IDAT (image data) chunk.", sourceName);
                }

                return (width, height);
            }

            position += 12 + (int)length;
        }
    }

    /// <summary>The CRC-32 PNG chunks carry (over the chunk type and data).</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
