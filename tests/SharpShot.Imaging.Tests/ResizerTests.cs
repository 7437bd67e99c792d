namespace SharpShot.Imaging.Tests;

public class ResizerTests
{
    private static float[] Planar(PixelBuffer source, int channels, int height, int width, PixelValues values = PixelValues.Raw)
    {
        var result = new float[channels * height * width];
        ImageResizer.ToPlanar(source, channels, height, width, values, result);
        return result;
    }

    private static PixelBuffer Grey(byte[] pixels, int width, int height) => new(pixels, width, height, width, PixelFormat.Gray8);

    [Fact]
    public void Downscaling_averages_the_covered_area_and_scales_as_asked()
    {
        byte[] pixels =
        [
            0, 255, 51, 51,
            255, 0, 51, 51,
            0, 0, 255, 255,
            0, 0, 255, 0,
        ];

        Assert.Equal([127.5f, 51f, 0f, 191.25f], Planar(Grey(pixels, 4, 4), 1, 2, 2));
        Assert.Equal([0.5f, 0.2f, 0f, 0.75f], Planar(Grey(pixels, 4, 4), 1, 2, 2, PixelValues.UnitRange), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([0.5f, 0.8f, 1f, 0.25f], Planar(Grey(pixels, 4, 4), 1, 2, 2, PixelValues.InvertedUnitRange), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Other_aspect_ratios_upscaling_and_the_same_size()
    {
        byte[] pixels = [10, 20, 30, 40, 50, 60];
        var source = Grey(pixels, 3, 2);

        Assert.Equal([20f, 50f], Planar(source, 1, 2, 1));
        Assert.Equal([20f, 20f, 50f, 50f], Planar(source, 1, 4, 1));
        Assert.Equal([10f, 10f, 20f, 20f, 30f, 30f, 10f, 10f, 20f, 20f, 30f, 30f, 40f, 40f, 50f, 50f, 60f, 60f, 40f, 40f, 50f, 50f, 60f, 60f], Planar(source, 1, 4, 6));
        Assert.Equal(pixels.Select(p => (float)p), Planar(source, 1, 2, 3));
    }

    [Fact]
    public void Every_pixel_format_with_row_padding_gives_the_same_planes()
    {
        byte[] rgb = Enumerable.Range(0, 5 * 3 * 3).Select(i => (byte)((i * 37) % 256)).ToArray();
        float[] expected = Planar(new PixelBuffer(rgb, 5, 3, 15, PixelFormat.Rgb24), 3, 2, 2);

        foreach (PixelFormat format in new[] { PixelFormat.Rgb24, PixelFormat.Bgr24, PixelFormat.Rgba32, PixelFormat.Bgra32 })
        {
            int bpp = PixelBuffer.BytesPerPixel(format);
            int stride = (5 * bpp) + 7;
            var padded = new byte[3 * stride];
            for (int y = 0; y < 3; y++)
            {
                for (int x = 0; x < 5; x++)
                {
                    int s = ((y * 5) + x) * 3, d = (y * stride) + (x * bpp);
                    bool bgr = format is PixelFormat.Bgr24 or PixelFormat.Bgra32;
                    padded[d] = rgb[s + (bgr ? 2 : 0)];
                    padded[d + 1] = rgb[s + 1];
                    padded[d + 2] = rgb[s + (bgr ? 0 : 2)];
                    if (bpp == 4)
                    {
                        padded[d + 3] = (byte)(x * 50); // alpha is ignored
                    }
                }
            }

            Assert.Equal(expected, Planar(new PixelBuffer(padded, 5, 3, stride, format), 3, 2, 2));
        }
    }

    [Fact]
    public void Colour_pixels_made_grey_here_equal_the_file_decoded_as_grey()
    {
        var random = new Random(4);
        byte[] rgb = new byte[9 * 7 * 3];
        random.NextBytes(rgb);
        byte[] rgba = Enumerable.Range(0, 9 * 7).SelectMany(i => new[] { rgb[i * 3], rgb[(i * 3) + 1], rgb[(i * 3) + 2], (byte)i }).ToArray();
        byte[] png = TestImages.Png(9, 7, rgb, channels: 3);
        byte[] pngWithAlpha = TestImages.Png(9, 7, rgba, channels: 4);

        float[] fromGreyDecode = Planar(ImageDecoder.Decode(png, ImageColor.Gray).AsPixelBuffer(), 1, 4, 5);
        float[] fromColourDecode = Planar(ImageDecoder.Decode(png, ImageColor.Rgb).AsPixelBuffer(), 1, 4, 5);
        float[] fromAlphaGreyDecode = Planar(ImageDecoder.Decode(pngWithAlpha, ImageColor.Gray).AsPixelBuffer(), 1, 4, 5);
        float[] fromRgbaPixels = Planar(new PixelBuffer(rgba, 9, 7, 36, PixelFormat.Rgba32), 1, 4, 5);

        Assert.Equal(fromGreyDecode, fromColourDecode);
        Assert.Equal(fromGreyDecode, fromAlphaGreyDecode);
        Assert.Equal(fromGreyDecode, fromRgbaPixels);
    }

    [Fact]
    public void Grey_pixels_become_three_equal_planes()
    {
        float[] planes = Planar(Grey([0, 100, 200, 255], 2, 2), 3, 1, 1);

        Assert.Equal([138.75f, 138.75f, 138.75f], planes);
    }

    [Fact]
    public void Bad_buffers_and_arguments_are_refused_with_the_numbers()
    {
        var shortSpan = Assert.Throws<ArgumentException>(() => new PixelBuffer(new byte[10], 2, 2, 6, PixelFormat.Rgb24));
        var shortStride = Assert.Throws<ArgumentException>(() => new PixelBuffer(new byte[100], 4, 2, 11, PixelFormat.Rgb24));
        var empty = Assert.Throws<ArgumentException>(() => new PixelBuffer(new byte[100], 0, 2, 11, PixelFormat.Gray8));
        var channels = Assert.Throws<ArgumentException>(() => Planar(Grey([1], 1, 1), 2, 1, 1));
        var destination = Assert.Throws<ArgumentException>(() => ImageResizer.ToPlanar(Grey([1], 1, 1), 3, 2, 2, PixelValues.Raw, new float[11]));

        Assert.Contains("need 12 bytes; the span holds 10", shortSpan.Message);
        Assert.Contains("(11 bytes) is shorter than a row of 4 Rgb24 pixels (12 bytes)", shortStride.Message);
        Assert.Contains("0 x 2", empty.Message);
        Assert.Contains("got 2", channels.Message);
        Assert.Contains("holds 11 values; 3 x 2 x 2 needs 12", destination.Message);
    }
}
