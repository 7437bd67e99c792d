using SharpShot.Data;
using Xunit;

namespace SharpShot.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<IdxDataType, bool> EveryTypeRawAndGzip()
    {
        var data = new TheoryData<IdxDataType, bool>();
        foreach (IdxDataType type in Enum.GetValues<IdxDataType>())
        {
            data.Add(type, false);
            data.Add(type, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTypeRawAndGzip))]
    public void RoundTripsEveryTypeRawAndCompressed(IdxDataType type, bool gzip)
    {
        // Extreme and sign-carrying values catch both byte-order and sign-extension mistakes.
        Array values = type switch
        {
            IdxDataType.UnsignedByte => new byte[] { 0, 1, 127, 128, 200, 255 },
            IdxDataType.SignedByte => new sbyte[] { sbyte.MinValue, -1, 0, 1, 100, sbyte.MaxValue },
            IdxDataType.Int16 => new short[] { short.MinValue, -2, 0, 258, 12345, short.MaxValue },
            IdxDataType.Int32 => new int[] { int.MinValue, -70000, 0, 16909060, 1, int.MaxValue },
            IdxDataType.Single => new float[] { float.MinValue, -1.5f, 0f, float.Epsilon, 3.1415927f, float.PositiveInfinity },
            IdxDataType.Double => new double[] { double.MinValue, -1e-300, 0d, double.Epsilon, Math.PI, double.NaN },
            _ => throw new InvalidOperationException(),
        };
        string path = _folder.File($"values-{type}{(gzip ? ".gz" : string.Empty)}");

        IdxWriter.Write(path, new IdxFile([2, 3], values), compress: gzip);
        IdxFile read = IdxReader.Read(path);

        Assert.Equal(type, read.DataType);
        Assert.Equal([2, 3], read.Dimensions);
        Assert.Equal(6, read.Length);
        Assert.Equal(path, read.SourcePath);
        Assert.Equal(values.GetType(), read.Data.GetType());
        Assert.Equal(values.Cast<object>(), read.Data.Cast<object>());
        Assert.Equal(gzip, File.ReadAllBytes(path).AsSpan(0, 2).SequenceEqual(new byte[] { 0x1F, 0x8B }));
    }

    [Fact]
    public void ReadsHandWrittenBigEndianBytes()
    {
        // 0x0B = int16, 1 dimension of 3; values 0x0102, 0xFFFE, 0x7FFF big-endian.
        byte[] bytes = [0, 0, 0x0B, 1, 0, 0, 0, 3, 0x01, 0x02, 0xFF, 0xFE, 0x7F, 0xFF];
        IdxFile int16 = IdxReader.Read(_folder.WriteBytes("int16", bytes));
        Assert.Equal(new short[] { 258, -2, 32767 }, int16.GetValues<short>());

        // 0x0D = float32: 1.0f is 3F 80 00 00, -2.5f is C0 20 00 00.
        byte[] floats = [0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0xC0, 0x20, 0, 0];
        IdxFile single = IdxReader.Read(_folder.WriteBytes("float32", floats));
        Assert.Equal([1, 2], single.Dimensions);
        Assert.Equal(new[] { 1.0f, -2.5f }, single.GetValues<float>());

        // The writer produces exactly these bytes back.
        using var stream = new MemoryStream();
        IdxWriter.Write(stream, single);
        Assert.Equal(floats, stream.ToArray());
    }

    [Fact]
    public void DetectsCompressionByContentNotByName()
    {
        byte[] bytes = [0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9];
        string gzipWithoutSuffix = _folder.WriteBytes("labels-idx1-ubyte", bytes, gzip: true);
        string rawWithGzSuffix = _folder.WriteBytes("labels-idx1-ubyte-raw.gz", bytes, gzip: false);

        Assert.Equal(new byte[] { 7, 9 }, IdxReader.Read(gzipWithoutSuffix).Bytes);
        Assert.Equal(new byte[] { 7, 9 }, IdxReader.Read(rawWithGzSuffix).Bytes);
    }

    [Fact]
    public void MissingFileIsFileNotFoundNamingThePath()
    {
        string path = _folder.File("absent-idx3-ubyte.gz");
        var error = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }

    public static TheoryData<string, byte[], string> MalformedFiles() => new()
    {
        { "bad magic", [1, 0, 0x08, 1, 0, 0, 0, 1, 5], "bad magic number 0x01000801" },
        { "unknown type", [0, 0, 0x0A, 1, 0, 0, 0, 1, 5], "unknown data type code 0x0A" },
        { "no dimensions", [0, 0, 0x08, 0, 5], "declares 0 dimensions" },
        { "too many dimensions", [0, 0, 0x08, 9, 0, 0, 0, 1], "declares 9 dimensions" },
        { "zero dimension", [0, 0, 0x08, 2, 0, 0, 0, 3, 0, 0, 0, 0], "dimension 1 of 2 is 0" },
        { "negative dimension", [0, 0, 0x08, 1, 0xFF, 0xFF, 0xFF, 0xFF], "dimension 0 of 1 is -1" },
        { "truncated header", [0, 0, 0x08, 3, 0, 0, 0, 2], "declares 3 dimensions (12 bytes) but only 4 bytes follow" },
        { "truncated magic", [0, 0], "2 bytes long" },
        { "empty", [], "0 bytes long" },
        { "truncated data", [0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0], "expected 8 bytes of data (2 int32) after the 8-byte header, found 6" },
        { "trailing bytes", [0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2, 3], "expected 2 bytes of data (2 ubyte) after the 8-byte header, found " },
        { "overflowing size", [0, 0, 0x0E, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF], "more than" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void RejectsMalformedRawFileNamingFileAndProblem(string name, byte[] bytes, string problem)
    {
        string path = _folder.WriteBytes(name.Replace(' ', '-'), bytes);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(path, error.FilePath);
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void RejectsMalformedCompressedFileNamingFileAndProblem(string name, byte[] bytes, string problem)
    {
        string path = _folder.WriteBytes(name.Replace(' ', '-') + ".gz", bytes, gzip: true);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void RawTrailingBytesAreCountedFromTheFileLength()
    {
        string path = _folder.WriteBytes("trailing", [0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2, 3, 4]);

        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));

        Assert.Contains("expected 2 bytes of data (2 ubyte) after the 8-byte header, found 4: 2 trailing bytes.", error.Message);
    }

    [Fact]
    public void CompressedTrailingDataIsRefusedAtItsFirstByteWithoutDecompressingTheRest()
    {
        // The IDX file and one extra byte, then 1 GiB of zeros in 64 small gzip members (about 1 MB on disk), then a
        // member whose deflate data is invalid. A reader that decompressed all the trailing data before judging it
        // would inflate the gigabyte and then report the corrupt member; one that stops at the first byte beyond the
        // declared size reports the trailing data and never reaches either.
        string path = _folder.File("bomb-idx1-ubyte.gz");
        byte[] zeros = Gzip(new byte[16 << 20]);
        using (var file = File.Create(path))
        {
            file.Write(Gzip([0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9, 0xEE]));
            for (int i = 0; i < 64; i++)
            {
                file.Write(zeros);
            }

            // A gzip header (deflate, no flags) followed by a block of the reserved type 3: invalid deflate data.
            file.Write([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x07, 0, 0, 0, 0]);
        }

        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("expected 2 bytes of data (2 ubyte) after the 8-byte header, found more: trailing data (after gzip decompression)", error.Message);
        Assert.DoesNotContain("corrupt", error.Message);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var zipped = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            zipped.Write(data);
        }

        return buffer.ToArray();
    }

    [Fact]
    public void TruncatedCompressedImagesReportTheMissingBytes()
    {
        // A 2 x 28 x 28 header with one image's worth of pixels: the "truncated download" case.
        byte[] header = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28];
        string path = _folder.WriteBytes("train-images-idx3-ubyte.gz", [.. header, .. new byte[784]], gzip: true);

        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));

        Assert.Contains("expected 1568 bytes of data (2 x 28 x 28 ubyte) after the 16-byte header, found 784; the file is truncated (after gzip decompression)", error.Message);
    }

    [Fact]
    public void CutOffGzipDownloadIsAnIdxFormatErrorNamingTheFile()
    {
        string path = _folder.File("t10k-images-idx3-ubyte.gz");
        FakeMnist.WriteImages(path, count: 50, gzip: true);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);

        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void HeaderAskingForMoreThanGzipCanHoldFailsBeforeAllocating()
    {
        // 1,000,000,000 bytes declared in a file of a few dozen bytes: rejected from the sizes alone.
        byte[] bytes = [0, 0, 0x08, 1, 0x3B, 0x9A, 0xCA, 0x00, 1, 2, 3];
        string path = _folder.WriteBytes("huge.gz", bytes, gzip: true);

        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));

        Assert.Contains("expected 1000000000 bytes of data", error.Message);
        Assert.Contains("cannot decompress to that much", error.Message);
    }

    [Fact]
    public void CorruptGzipIsAnIdxFormatErrorNamingTheFile()
    {
        byte[] bytes = [0, 0, 0x08, 1, 0, 0, 0, 64, .. Enumerable.Range(0, 64).Select(i => (byte)i)];
        string path = _folder.WriteBytes("corrupt.gz", bytes, gzip: true);
        byte[] compressed = File.ReadAllBytes(path);
        for (int i = 10; i < compressed.Length - 8; i++)
        {
            compressed[i] ^= 0xA5; // scramble the deflate data, keep the gzip header
        }

        File.WriteAllBytes(path, compressed);

        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.IsAssignableFrom<IOException>(error);
    }

    [Fact]
    public void ToSinglesAppliesScaleAndOffsetForEveryType()
    {
        Assert.Equal(new[] { 0f, 0.5f, 1f }, new IdxFile([3], new byte[] { 0, 51, 102 }).ToSingles(1.0 / 102, 0).Select(v => MathF.Round(v, 6)));
        Assert.Equal(new[] { -128f, 0f, 127f }, new IdxFile([3], new sbyte[] { -128, 0, 127 }).ToSingles());
        Assert.Equal(new[] { -3f, 1f, 5f }, new IdxFile([3], new short[] { -2, 0, 2 }).ToSingles(2, 1));
        Assert.Equal(new[] { -1f, 0f, 1f }, new IdxFile([3], new int[] { -10, 0, 10 }).ToSingles(0.1));
        Assert.Equal(new[] { 0.5f, 1.5f }, new IdxFile([2], new float[] { 0f, 1f }).ToSingles(offset: 0.5));
        Assert.Equal(new[] { 2.5f, -1f }, new IdxFile([2], new double[] { 2.5, -1 }).ToSingles());
    }

    [Fact]
    public void PixelScalingMatchesDivisionBy255Exactly()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        float[] scaled = new IdxFile([256], all).ToSingles(InputScaling.PixelsToUnitRange.Scale);
        for (int i = 0; i < 256; i++)
        {
            Assert.Equal((float)(i / 255.0), scaled[i]);
        }

        Assert.Equal(0f, scaled[0]);
        Assert.Equal(1f, scaled[255]);
    }

    [Fact]
    public void TypedAccessorsRejectTheWrongType()
    {
        var ints = new IdxFile([2], new int[] { 3, 4 });
        Assert.Throws<InvalidOperationException>(() => ints.Bytes);
        Assert.Throws<InvalidOperationException>(() => ints.GetValues<float>());
        Assert.Equal(new[] { 3, 4 }, ints.ToInt32s());
        Assert.Equal(new[] { 255, 0 }, new IdxFile([2], new byte[] { 255, 0 }).ToInt32s());
        Assert.Equal(new[] { -1, 7 }, new IdxFile([2], new sbyte[] { -1, 7 }).ToInt32s());
        Assert.Throws<InvalidOperationException>(() => new IdxFile([1], new float[] { 1.5f }).ToInt32s());

        // byte[] and sbyte[] are interchangeable in runtime type tests; the accessors must still tell them apart.
        Assert.Throws<InvalidOperationException>(() => new IdxFile([1], new byte[] { 200 }).GetValues<sbyte>());
        Assert.Throws<InvalidOperationException>(() => new IdxFile([1], new sbyte[] { -1 }).Bytes);
    }

    [Fact]
    public void InMemoryFileValidatesItsArguments()
    {
        Assert.Throws<ArgumentException>(() => new IdxFile([2], new long[] { 1, 2 }));

        // The runtime lets ushort[] pass as short[] and uint[] as int[] in type tests; they must still be refused.
        Assert.Throws<ArgumentException>(() => new IdxFile([2], new ushort[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => new IdxFile([2], new uint[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => new IdxFile([], new byte[0]));
        Assert.Throws<ArgumentException>(() => new IdxFile([1, 1, 1, 1, 1, 1, 1, 1, 1], new byte[1]));
        Assert.Throws<ArgumentException>(() => new IdxFile([0], new byte[0]));
        Assert.Throws<ArgumentException>(() => new IdxFile([2, 3], new byte[5]));
        Assert.Equal("2 x 3 float32", new IdxFile([2, 3], new float[6]).ToString());
    }

    [Fact]
    public void WriterReplacesExistingFileAndLeavesNoTemporaryFiles()
    {
        string path = _folder.File("labels");
        File.WriteAllText(path, "old contents");

        IdxWriter.Write(path, new IdxFile([3], new byte[] { 1, 2, 3 }));

        Assert.Equal(new byte[] { 1, 2, 3 }, IdxReader.Read(path).Bytes);
        Assert.Equal([path], Directory.GetFiles(_folder.Path));
    }
}
