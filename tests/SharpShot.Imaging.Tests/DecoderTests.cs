using System.Diagnostics;

namespace SharpShot.Imaging.Tests;

public class DecoderTests
{
    private static readonly byte[] Rgb2x2 = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];

    [Fact]
    public void Png_bmp_and_jpeg_decode_to_their_pixels()
    {
        var grey = ImageDecoder.Decode(TestImages.Png(3, 2, [0, 50, 100, 150, 200, 250]), ImageColor.Gray);
        var colour = ImageDecoder.Decode(TestImages.Png(2, 2, Rgb2x2, channels: 3), ImageColor.Rgb);
        var bmp = ImageDecoder.Decode(TestImages.Bmp(2, 2, Rgb2x2), ImageColor.Rgb);
        var jpeg = ImageDecoder.Decode(TestImages.ConstantGreyJpeg(), ImageColor.Gray);

        Assert.Equal((3, 2, PixelFormat.Gray8), (grey.Width, grey.Height, grey.Format));
        Assert.Equal([0, 50, 100, 150, 200, 250], grey.Pixels);
        Assert.Equal(PixelFormat.Rgb24, colour.Format);
        Assert.Equal(Rgb2x2, colour.Pixels);
        Assert.Equal(Rgb2x2, bmp.Pixels);
        Assert.Equal((8, 8), (jpeg.Width, jpeg.Height));
        Assert.All(jpeg.Pixels, p => Assert.Equal(200, p));
    }

    [Fact]
    public void Grey_images_decode_as_colour_by_repeating_the_value()
    {
        var image = ImageDecoder.Decode(TestImages.Png(2, 1, [7, 200]), ImageColor.Rgb);

        Assert.Equal([7, 7, 7, 200, 200, 200], image.Pixels);
    }

    [Fact]
    public void Files_and_streams_decode_like_bytes()
    {
        using var temp = new TempFolder();
        byte[] png = TestImages.Png(2, 2, Rgb2x2, channels: 3);
        string path = temp.WriteBytes("a.png", png);

        var fromFile = ImageDecoder.DecodeFile(path, ImageColor.Rgb);
        var fromStream = ImageDecoder.Decode(new MemoryStream(png), ImageColor.Rgb);

        Assert.Equal(Rgb2x2, fromFile.Pixels);
        Assert.Equal(Rgb2x2, fromStream.Pixels);
        var missing = Assert.Throws<FileNotFoundException>(() => ImageDecoder.DecodeFile(temp.File("none.png"), ImageColor.Gray));
        Assert.Contains("none.png", missing.Message);
    }

    [Fact]
    public void A_decompression_bomb_is_refused_from_its_header_quickly_and_without_allocating_for_it()
    {
        byte[] bomb = TestImages.BlankPng(16000, 16000);
        Assert.InRange(bomb.Length, 1, 1 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(bomb, ImageColor.Gray, sourceName: "bomb.png"));

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.True(allocated < 16L << 20, $"allocated {allocated:N0} bytes");
        Assert.Equal("ImageLimits.MaxPixels", e.LimitName);
        Assert.Equal(256_000_000, e.Actual);
        Assert.Equal(ImageLimits.DefaultMaxPixels, e.Limit);
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("16000 x 16000", e.Message);
    }

    [Fact]
    public void Every_limit_is_settable_and_named_when_exceeded()
    {
        using var temp = new TempFolder();
        byte[] png = TestImages.Png(40, 3, new byte[120]);
        string path = temp.WriteBytes("wide.png", png);

        var side = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(png, ImageColor.Gray, new ImageLimits { MaxSide = 39 }));
        var pixels = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(png, ImageColor.Gray, new ImageLimits { MaxPixels = 119 }));
        var bytes = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(png, ImageColor.Gray, new ImageLimits { MaxFileBytes = png.Length - 1 }));
        var file = Assert.Throws<ImageLimitException>(() => ImageDecoder.DecodeFile(path, ImageColor.Gray, new ImageLimits { MaxFileBytes = 10 }));
        var stream = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(new MemoryStream(png), ImageColor.Gray, new ImageLimits { MaxFileBytes = 10 }));

        Assert.Equal(("ImageLimits.MaxSide", 39L, 40L), (side.LimitName, side.Limit, side.Actual));
        Assert.Equal(("ImageLimits.MaxPixels", 119L, 120L), (pixels.LimitName, pixels.Limit, pixels.Actual));
        Assert.Equal("ImageLimits.MaxFileBytes", bytes.LimitName);
        Assert.Equal("ImageLimits.MaxFileBytes", file.LimitName);
        Assert.Contains(path, file.Message);
        Assert.Equal("ImageLimits.MaxFileBytes", stream.LimitName);
        var counting = new MemoryStream(png);
        Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(counting, ImageColor.Gray, new ImageLimits { MaxFileBytes = 10 }));
        Assert.Equal(11, counting.Position); // read one byte past the limit, no more
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageLimits { MaxPixels = 0 });
    }

    [Fact]
    public void Jpeg_and_bmp_sizes_are_checked_from_their_headers()
    {
        var jpeg = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(TestImages.ConstantGreyJpeg(), ImageColor.Gray, new ImageLimits { MaxSide = 7 }));
        var bmp = Assert.Throws<ImageLimitException>(() => ImageDecoder.Decode(TestImages.Bmp(2, 2, Rgb2x2), ImageColor.Gray, new ImageLimits { MaxPixels = 3 }));

        Assert.Equal("ImageLimits.MaxSide", jpeg.LimitName);
        Assert.Equal("ImageLimits.MaxPixels", bmp.LimitName);
    }

    public static TheoryData<string, byte[], string> Broken()
    {
        byte[] png = TestImages.Png(4, 4, Enumerable.Range(0, 16).Select(i => (byte)(i * 16)).ToArray());
        byte[] badCrc = (byte[])png.Clone();
        badCrc[30] ^= 0x40;
        return new()
        {
            { "empty", [], "empty" },
            { "text", "hello, not an image"u8.ToArray(), "not a PNG, JPEG or BMP image" },
            { "truncated PNG", png[..(png.Length - 14)], "truncated" },
            { "bad CRC", badCrc, "CRC" },
            { "truncated JPEG header", TestImages.ConstantGreyJpeg()[..6], "JPEG" },
        };
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void Broken_data_is_a_decode_error_that_says_what_is_wrong(string what, byte[] data, string expected)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data, ImageColor.Gray, sourceName: what));

        Assert.Contains(expected, e.Reason);
        Assert.Contains($"'{what}'", e.Message);
        Assert.IsNotType<ImageLimitException>(e);
    }

    [Fact]
    public void A_png_named_file_that_is_not_a_png_says_so()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(TestImages.Bmp(2, 2, Rgb2x2), ImageColor.Gray, sourceName: "x.png"));

        Assert.Contains("not a PNG file: it starts with 42 4D", e.Reason);
    }

    [Fact]
    public void Mutated_images_end_in_a_picture_or_a_decode_error_never_another_exception()
    {
        var seeds = new[]
        {
            TestImages.Png(5, 4, Enumerable.Range(0, 60).Select(i => (byte)(i * 4)).ToArray(), channels: 3),
            TestImages.Bmp(3, 3, Enumerable.Range(0, 27).Select(i => (byte)(i * 9)).ToArray()),
            TestImages.ConstantGreyJpeg(),
        };
        var random = new Random(12);
        int decoded = 0, refused = 0;
        for (int i = 0; i < 600; i++)
        {
            byte[] data = (byte[])seeds[i % seeds.Length].Clone();
            for (int flips = random.Next(1, 5); flips > 0; flips--)
            {
                data[random.Next(data.Length)] = (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                data = data[..random.Next(data.Length)];
            }

            try
            {
                var image = ImageDecoder.Decode(data, i % 2 == 0 ? ImageColor.Gray : ImageColor.Rgb, new ImageLimits { MaxPixels = 1 << 20 });
                Assert.True(image.Pixels.Length >= image.Width * image.Height);
                decoded++;
            }
            catch (ImageDecodeException)
            {
                refused++;
            }
        }

        Assert.True(decoded > 0 && refused > 0, $"decoded {decoded}, refused {refused}");
    }

    [Fact]
    public void A_jpeg_segment_whose_length_runs_past_the_data_is_refused_before_decoding()
    {
        // The fuzzer's hang (tests/Fuzz/crashers/jpeg/): an APP0 length pointing past the end sent the decoder reading
        // beyond the data without end. A valid JPEG with its first segment's length raised to 0x9981 reproduces it.
        byte[] jpeg = TestImages.ConstantGreyJpeg();
        Assert.Equal(200, ImageDecoder.Decode(jpeg, ImageColor.Gray).Pixels[0]);
        jpeg[4] = 0x99;
        jpeg[5] = 0x81;

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg, ImageColor.Gray, sourceName: "cut.jpg"));

        Assert.Contains("segment FF DB at byte 2 declares 39297 bytes but", error.Message);
        Assert.Contains("cut.jpg", error.Message);
    }
}
