using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpShot.Testing;

/// <summary>Minimal image encoders for test fixtures: PNG (1-bit or 8-bit grey, 8-bit RGB), 24-bit BMP, and a constant-grey JPEG.</summary>
internal static class TestImages
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    /// <summary>
    /// A PNG of <paramref name="pixels"/> (row-major; 1 byte per pixel for grey, 3 for RGB, 4 for RGBA). With
    /// <paramref name="bitDepth"/> 1 (grey only, like Omniglot's files) a pixel is white when non-zero.
    /// </summary>
    public static byte[] Png(int width, int height, byte[] pixels, int channels = 1, int bitDepth = 8)
    {
        if (pixels.Length != width * height * channels || (bitDepth == 1 && channels != 1))
        {
            throw new ArgumentException("Bad test image.");
        }

        int rowBytes = bitDepth == 1 ? (width + 7) / 8 : width * channels;
        var raw = new byte[height * (rowBytes + 1)];
        for (int y = 0; y < height; y++)
        {
            int row = y * (rowBytes + 1);
            raw[row] = 0; // filter: none
            for (int x = 0; x < width * channels; x++)
            {
                byte value = pixels[(y * width * channels) + x];
                if (bitDepth == 1)
                {
                    if (value != 0)
                    {
                        raw[row + 1 + (x / 8)] |= (byte)(0x80 >> (x % 8));
                    }
                }
                else
                {
                    raw[row + 1 + x] = value;
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        byte colorType = channels switch { 1 => 0, 3 => 2, 4 => 6, _ => throw new ArgumentException("Bad test image.") };
        return PngFile(width, height, (byte)bitDepth, colorType, compressed.ToArray());
    }

    /// <summary>
    /// A valid 8-bit grey PNG of <paramref name="width"/> x <paramref name="height"/> black pixels, compressed while it
    /// is written (a 16000 x 16000 image is about 250 KB and never exists uncompressed here): the decompression bomb
    /// a decoder must refuse from its header.
    /// </summary>
    public static byte[] BlankPng(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[width + 1];
            for (int y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        return PngFile(width, height, bitDepth: 8, colorType: 0, compressed.ToArray());
    }

    /// <summary>The PNG signature, an IHDR chunk, one IDAT chunk of <paramref name="compressedRows"/> and IEND.</summary>
    private static byte[] PngFile(int width, int height, byte bitDepth, byte colorType, byte[] compressedRows)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressedRows);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 24-bit BMP of RGB <paramref name="pixels"/> (row-major, top row first).</summary>
    public static byte[] Bmp(int width, int height, byte[] rgb)
    {
        int stride = ((width * 3) + 3) & ~3;
        var bmp = new byte[54 + (stride * height)];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        for (int y = 0; y < height; y++)
        {
            int row = 54 + ((height - 1 - y) * stride); // bottom-up
            for (int x = 0; x < width; x++)
            {
                int p = ((y * width) + x) * 3;
                bmp[row + (3 * x)] = rgb[p + 2];
                bmp[row + (3 * x) + 1] = rgb[p + 1];
                bmp[row + (3 * x) + 2] = rgb[p];
            }
        }

        return bmp;
    }

    /// <summary>
    /// A baseline JPEG of one 8 x 8 grey block of the constant 200: only a DC coefficient (8 · (200 − 128) = 576,
    /// category 10) with one-code Huffman tables and unit quantization, so every pixel decodes to 200.
    /// </summary>
    public static byte[] ConstantGreyJpeg()
    {
        var jpeg = new List<byte> { 0xFF, 0xD8 };
        jpeg.AddRange([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        jpeg.AddRange(Enumerable.Repeat((byte)1, 64));
        jpeg.AddRange([0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00]);
        byte[] oneCodeOfLengthOne = [0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        jpeg.AddRange([0xFF, 0xC4, 0x00, 0x14, 0x00]);
        jpeg.AddRange(oneCodeOfLengthOne);
        jpeg.Add(10); // the DC table's only symbol: category 10
        jpeg.AddRange([0xFF, 0xC4, 0x00, 0x14, 0x10]);
        jpeg.AddRange(oneCodeOfLengthOne);
        jpeg.Add(0x00); // the AC table's only symbol: end of block
        jpeg.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);

        // Bits: DC code '0', 576 in 10 bits '1001000000', EOB code '0', then 1-padding: 0100 1000 0000 1111.
        jpeg.AddRange([0x48, 0x0F]);
        jpeg.AddRange([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typeAndData);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typeAndData)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        BinaryPrimitives.WriteUInt32BigEndian(four, crc ^ 0xFFFFFFFFu);
        png.Write(four);
    }
}
