using System.IO.Compression;
using SharpShot.Data;
using SharpShot.Onnx;
using StbImageWriteSharp;

namespace SharpShot.Fuzz.Tests;

/// <summary>Valid seed files for every format, generated in code (no data set on disk): the fuzzer mutates these.</summary>
internal static class Seeds
{
    /// <summary>IDX files of every element type and a few ranks, raw.</summary>
    public static IReadOnlyList<byte[]> Idx() =>
    [
        IdxBytes(new IdxFile([3, 4, 5], Pattern(60))),
        IdxBytes(new IdxFile([6], new byte[] { 0, 1, 2, 9, 4, 7 })),
        IdxBytes(new IdxFile([2, 3], new sbyte[] { -128, -1, 0, 1, 2, 127 })),
        IdxBytes(new IdxFile([2, 2], new short[] { short.MinValue, -2, 258, short.MaxValue })),
        IdxBytes(new IdxFile([3], new[] { int.MinValue, 0, int.MaxValue })),
        IdxBytes(new IdxFile([2, 2], new[] { -1.5f, 0f, float.NaN, 3.25f })),
        IdxBytes(new IdxFile([1, 1, 2], new[] { Math.PI, -1e300 })),
    ];

    /// <summary>The IDX seeds gzip-compressed; the gzip format also gzips raw inputs itself, so both layers are reached.</summary>
    public static IReadOnlyList<byte[]> IdxGzip() => [.. Idx().Select(Gzip), .. Idx()];

    /// <summary>PNGs: grey 8-bit, grey 1-bit (as Omniglot's), RGB, RGBA; and one from stb's encoder (filtered rows).</summary>
    public static IReadOnlyList<byte[]> Png() =>
    [
        TestImages.Png(7, 5, Pattern(35)),
        TestImages.Png(9, 4, Pattern(36), bitDepth: 1),
        TestImages.Png(4, 3, Pattern(36), channels: 3),
        TestImages.Png(3, 3, Pattern(36), channels: 4),
        Write(w => w.WritePng(Pattern(8 * 6 * 3), 8, 6, ColorComponents.RedGreenBlue, w.Stream)),
    ];

    /// <summary>JPEGs from stb's encoder (grey and colour, two qualities) and the hand-made one-block grey JPEG.</summary>
    public static IReadOnlyList<byte[]> Jpeg() =>
    [
        Write(w => w.WriteJpg(Pattern(16 * 8 * 3), 16, 8, ColorComponents.RedGreenBlue, w.Stream, 90)),
        Write(w => w.WriteJpg(Pattern(9 * 11), 9, 11, ColorComponents.Grey, w.Stream, 30)),
        TestImages.ConstantGreyJpeg(),
    ];

    /// <summary>BMPs: the tests' 24-bit writer and stb's (grey and RGBA sources).</summary>
    public static IReadOnlyList<byte[]> Bmp() =>
    [
        TestImages.Bmp(5, 3, Pattern(45)),
        Write(w => w.WriteBmp(Pattern(6 * 4), 6, 4, ColorComponents.Grey, w.Stream)),
        Write(w => w.WriteBmp(Pattern(3 * 5 * 4), 3, 5, ColorComponents.RedGreenBlueAlpha, w.Stream)),
    ];

    /// <summary>Omniglot zip files: drawings laid out as set/alphabet/character/drawing.png, stored and deflated.</summary>
    public static IReadOnlyList<byte[]> OmniglotZip() =>
    [
        Zip(CompressionLevel.Optimal, ("images_background/Greek/character01/0001_01.png", TestImages.Png(6, 6, Pattern(36), bitDepth: 1)),
            ("images_background/Greek/character01/0001_02.png", TestImages.Png(6, 6, Pattern(36, 3))),
            ("images_background/Latin/character02/0002_01.png", TestImages.Png(5, 4, Pattern(20)))),
        Zip(CompressionLevel.NoCompression, ("Greek/character01/a.png", TestImages.Png(4, 4, Pattern(16))),
            ("__MACOSX/._x.png", [0, 1, 2])),
    ];

    /// <summary>ONNX models: a dense layer with SharpShot metadata, a small convolution, a model with external-data-free initializers.</summary>
    public static IReadOnlyList<byte[]> Onnx()
    {
        var batch = OnnxDimension.Symbolic("N");
        var dense = new OnnxGraphBuilder("dense");
        string x = dense.AddInput("x", OnnxElementType.Float, [batch, OnnxDimension.Fixed(4)]);
        string w = dense.AddInitializer("w", [0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 0f, 3f, 2f, 1f, 0f], 3, 4);
        string b = dense.AddInitializer("b", [0.1f, 0.2f, 0.3f], 3);
        string gemm = dense.AddNode("Gemm", [x, w, b], "logits", OnnxAttribute.Int("transB", 1));
        string soft = dense.AddNode("Softmax", [gemm], "probabilities", OnnxAttribute.Int("axis", 1));
        dense.AddOutput(soft, OnnxElementType.Float, [batch, OnnxDimension.Fixed(3)]);
        dense.SetMetadata(SharpShotMetadata.ClassLabels, "[\"a\",\"b\",\"c\"]");
        dense.SetMetadata(SharpShotMetadata.Output, "probabilities");

        var conv = new OnnxGraphBuilder("conv");
        string image = conv.AddInput("image", OnnxElementType.Float, [batch, OnnxDimension.Fixed(1), OnnxDimension.Fixed(4), OnnxDimension.Fixed(4)]);
        string kernel = conv.AddInitializer("k", Enumerable.Range(0, 18).Select(i => i / 9f).ToArray(), 2, 1, 3, 3);
        string c = conv.AddNode("Conv", [image, kernel], "conv", OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        string relu = conv.AddNode("Relu", [c], "relu");
        string shape = conv.AddInitializer("shape", [0L, -1L], 2);
        string flat = conv.AddNode("Reshape", [relu, shape], "flat");
        conv.AddOutput(flat, OnnxElementType.Float, [batch, OnnxDimension.Fixed(32)]);
        return [dense.ToBytes(), conv.ToBytes()];
    }

    /// <summary>Deterministic bytes, varied enough that compression and filters have something to do.</summary>
    internal static byte[] Pattern(int length, int salt = 0) =>
        Enumerable.Range(0, length).Select(i => (byte)(((i * 37) + (salt * 101) + (i / 5 * 13)) & 0xFF)).ToArray();

    internal static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var zipped = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            zipped.Write(data);
        }

        return buffer.ToArray();
    }

    private static byte[] IdxBytes(IdxFile file)
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpshot-fuzz-seed-" + Guid.NewGuid().ToString("N"));
        try
        {
            IdxWriter.Write(path, file, compress: false);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Zip(CompressionLevel level, params (string Name, byte[] Data)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] data) in entries)
            {
                using Stream stream = zip.CreateEntry(name, level).Open();
                stream.Write(data);
            }
        }

        return buffer.ToArray();
    }

    private sealed class Writer : ImageWriter
    {
        public MemoryStream Stream { get; } = new();
    }

    private static byte[] Write(Action<Writer> write)
    {
        var writer = new Writer();
        write(writer);
        return writer.Stream.ToArray();
    }
}
