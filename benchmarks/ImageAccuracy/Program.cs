// Writes the Fashion-MNIST test images as PNG files in class sub-folders (OUT/<class>/<index>.png), byte for byte the
// IDX pixels, so `sharpshot predict MODEL OUT` can be compared with the accuracy on the IDX tensors.
// Usage: dotnet run --project benchmarks/ImageAccuracy -c Release -- [--data DIR] --out DIR
using System.Buffers.Binary;
using System.IO.Compression;
using SharpShot.Data;

string? data = null, output = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: data = args[++i]; break;
        case "--out" when i + 1 < args.Length: output = args[++i]; break;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: [--data DIR] --out DIR");
            return 2;
    }
}

if (output is null)
{
    Console.Error.WriteLine("error: --out DIR is required.");
    return 2;
}

string? folder = FashionMnist.Locate(data);
if (folder is null)
{
    Console.Error.WriteLine("error: no Fashion-MNIST found (--data, $SHARPSHOT_DATA, /usr/share/datasets/fashion-mnist).");
    return 1;
}

string File(string name) => new[] { name, name + ".gz" }.Select(n => Path.Combine(folder, n)).First(System.IO.File.Exists);
byte[] pixels = (byte[])IdxReader.Read(File("t10k-images-idx3-ubyte")).Data;
byte[] labels = (byte[])IdxReader.Read(File("t10k-labels-idx1-ubyte")).Data;
int count = labels.Length;
for (int i = 0; i < count; i++)
{
    string dir = Path.Combine(output, FashionMnist.ClassNames[labels[i]].Replace('/', '-'));
    Directory.CreateDirectory(dir);
    System.IO.File.WriteAllBytes(Path.Combine(dir, $"{i:D5}.png"), Png.Gray(28, 28, pixels.AsSpan(i * 784, 784)));
}

Console.WriteLine($"wrote {count:N0} PNG files under {Path.GetFullPath(output)}");
return 0;

/// <summary>A minimal 8-bit grey PNG encoder (filter none, zlib).</summary>
internal static class Png
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static byte[] Gray(int width, int height, ReadOnlySpan<byte> pixels)
    {
        var raw = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++)
        {
            pixels.Slice(y * width, width).CopyTo(raw.AsSpan((y * (width + 1)) + 1));
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        png.Write(typeBytes);
        png.Write(data);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typeBytes.Concat(data))
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        BinaryPrimitives.WriteUInt32BigEndian(four, crc ^ 0xFFFFFFFFu);
        png.Write(four);
    }
}
