using SharpShot.FewShot;
using SharpShot.Imaging;

namespace SharpShot.Tests.FewShot.Data;

/// <summary>
/// Loading a folder of images is bounded: pixels per image (4096 x 4096 by default, configurable) and pixels decoded at
/// once across the parallel decoders (<see cref="ImageLoadOptions.MaxPixelsInFlight"/>).
/// </summary>
public sealed class ImageLoadBoundsTests
{
    private static byte[] Grey(int width, int height, byte value = 128) =>
        TestImages.Png(width, height, Enumerable.Repeat(value, width * height).ToArray());

    [Fact]
    public void An_image_over_4096_squared_pixels_is_refused_by_default_naming_the_file_and_its_size()
    {
        // 4097 x 4097 is within SharpShot.Imaging's general limits (16384 a side, 50 million pixels), so only the
        // few-shot loader's own bound refuses it; the PNG is about 20 KB and is refused from its header.
        using var temp = new TempFolder();
        temp.WriteBytes("small/1.png", Grey(4, 4));
        string big = temp.WriteBytes("large/1.png", TestImages.BlankPng(4097, 4097));

        var error = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.Path));

        Assert.Equal(big, error.FilePath);
        Assert.Contains("4097 x 4097", error.Message);
        Assert.Contains("at most 16,777,216", error.Message);
        Assert.Contains("ImageLoadOptions.Limits", error.Message);
        var limit = Assert.IsType<ImageLimitException>(error.InnerException);
        Assert.Equal(ImageLoadOptions.DefaultMaxPixelsPerImage, limit.Limit);
        Assert.Equal(4097L * 4097, limit.Actual);
    }

    [Fact]
    public void The_pixel_bound_is_configurable_for_image_folders_and_omniglot()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("folder/c/1.png", Grey(10, 10));
        string wide = temp.WriteBytes("wide/c/1.png", Grey(11, 10));
        var options = new ImageLoadOptions { Limits = ImageLimits.Default with { MaxPixels = 100 }, MaxPixelsInFlight = 100 };

        Assert.Single(ImageFolder.Load(temp.File("folder"), size: 5, options: options).Classes);
        var error = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.File("wide"), size: 5, options: options));
        Assert.Equal(wide, error.FilePath);
        Assert.Contains("11 x 10 = 110 pixels; at most 100", error.Message);

        string drawing = temp.WriteBytes("omniglot/Greek/character01/0001_01.png", Grey(11, 10));
        var omniglot = Assert.Throws<FewShotDataException>(() => Omniglot.Load([temp.File("omniglot")], 5, options));
        Assert.Equal(drawing, omniglot.FilePath);
        Assert.Contains("11 x 10", omniglot.Message);
        Assert.Single(Omniglot.Load([temp.File("omniglot")], 5, ImageLoadOptions.Default).Classes);
    }

    [Fact]
    public void A_budget_below_one_accepted_image_is_an_argument_error()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("c/1.png", Grey(4, 4));
        var options = new ImageLoadOptions { MaxPixelsInFlight = 1000 };

        var error = Assert.Throws<ArgumentException>(() => ImageFolder.Load(temp.Path, options: options));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("MaxPixelsInFlight is 1,000 pixels, less than Limits.MaxPixels (16,777,216)", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageLoadOptions { MaxDegreeOfParallelism = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageLoadOptions { MaxPixelsInFlight = 0 });
        Assert.Throws<ArgumentNullException>(() => new ImageLoadOptions { Limits = null! });
    }

    [Fact]
    public void Parallel_decoders_hold_no_more_pixels_than_the_budget()
    {
        // Twelve 200 x 150 images, four decoders, a budget of one image: whatever the scheduling, exactly one image's
        // pixels are held at the peak, and every sample is still decoded.
        using var temp = new TempFolder();
        var targets = new float[12 * 4];
        var pending = new List<ImageDecoding.Pending>();
        for (int i = 0; i < 12; i++)
        {
            pending.Add(new(temp.WriteBytes($"c/{i}.png", Grey(200, 150, (byte)(i * 20))), null, targets, i * 4));
        }

        var options = new ImageLoadOptions { Limits = ImageLimits.Default with { MaxPixels = 200 * 150 }, MaxPixelsInFlight = 200 * 150, MaxDegreeOfParallelism = 4 };
        var budget = new PixelBudget(options.MaxPixelsInFlight);

        ImageDecoding.DecodeAll(pending, channels: 1, invert: false, size: 2, options, budget);

        Assert.Equal(200 * 150, budget.Peak);
        for (int i = 0; i < 12; i++)
        {
            Assert.All(targets.AsSpan(i * 4, 4).ToArray(), v => Assert.Equal(i * 20 / 255f, v, 4));
        }
    }

    [Fact]
    public async Task A_decoder_waits_while_the_budget_is_spent_and_goes_on_when_pixels_are_given_back()
    {
        var budget = new PixelBudget(100);
        budget.Acquire(60);
        Task second = Task.Run(() => budget.Acquire(60));

        Task first = await Task.WhenAny(second, Task.Delay(200));
        Assert.NotSame(second, first); // 60 + 60 pixels would go beyond a budget of 100
        budget.Release(60);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(60, budget.Peak);

        // An image larger than the whole budget is let through alone, never left waiting forever.
        budget.Release(60);
        await Task.Run(() => budget.Acquire(500)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(500, budget.Peak);
    }
}
