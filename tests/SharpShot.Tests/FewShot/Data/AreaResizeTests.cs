using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Data;

public sealed class AreaResizeTests
{
    private static float[] Resize(byte[] pixels, int width, int height, int size, int channels = 1, bool invert = false)
    {
        var result = new float[channels * size * size];
        ImageDecoding.AreaResize(pixels, width, height, channels, invert, size, result);
        return result;
    }

    [Fact]
    public void Integer_factors_average_blocks()
    {
        byte[] pixels =
        [
            0, 255, 51, 51,
            255, 0, 51, 51,
            0, 0, 255, 255,
            0, 0, 255, 0,
        ];

        Assert.Equal([0.5f, 0.2f, 0f, 0.75f], Resize(pixels, 4, 4, 2), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([0.5f, 0.8f, 1f, 0.25f], Resize(pixels, 4, 4, 2, invert: true), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Fractional_factors_weight_partly_covered_pixels()
    {
        // 3 -> 2: output pixel 0 covers source pixel 0 and half of pixel 1.
        byte[] row = [255, 0, 0];
        float[] result = Resize([.. row, .. row, .. row], 3, 3, 2);

        Assert.Equal(2f / 3f, result[0], 6);
        Assert.Equal(0f, result[1], 6);
        Assert.Equal(2f / 3f, result[2], 6);
    }

    [Fact]
    public void Area_averaging_keeps_the_mean_and_constant_images()
    {
        var random = new Random(3);
        var pixels = new byte[105 * 105];
        random.NextBytes(pixels);

        float[] small = Resize(pixels, 105, 105, 28);

        Assert.Equal(pixels.Average(p => p / 255.0), small.Average(v => (double)v), 5);
        Assert.All(Resize(Enumerable.Repeat((byte)255, 105 * 105).ToArray(), 105, 105, 28), v => Assert.Equal(1f, v));
        Assert.All(Resize(new byte[105 * 105], 105, 105, 28), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Upsampling_repeats_pixels_and_non_square_images_are_stretched()
    {
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f, 1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f], Resize([0, 255, 255, 0], 2, 2, 4));
        Assert.Equal([0f, 1f, 0f, 1f], Resize([0, 0, 255, 255, 0, 0, 255, 255], 4, 2, 2));
    }

    [Fact]
    public void Interleaved_channels_become_planes()
    {
        // 2 x 2 RGB, kept at 2 x 2: red, blue / green, white.
        byte[] rgb =
        [
            255, 0, 0, 0, 0, 255,
            0, 255, 0, 255, 255, 255,
        ];

        Assert.Equal([1f, 0f, 0f, 1f, 0f, 0f, 1f, 1f, 0f, 1f, 0f, 1f], Resize(rgb, 2, 2, 2, channels: 3));
    }
}
