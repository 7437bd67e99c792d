namespace SharpShot.FewShot;

/// <summary>
/// Augmentation for images (…, H, W): every support and query sample gets its own small random affine
/// distortion — rotation, shear, scaling and shift about the image centre — the way the same character
/// drawn by another hand differs (Koch et al. 2015 trained one-shot Omniglot nets on such distortions).
/// Unlike <see cref="RotateClasses"/>, which makes new classes, this varies samples within a class, so an
/// embedding learns to ignore such differences. Pixels are sampled bilinearly; those that come from
/// outside the image take <see cref="Fill"/>. All channels of a sample move together.
/// </summary>
public sealed class RandomAffine : EpisodeTransform
{
    /// <summary>Creates the transform; every amount is drawn uniformly from [−max, max] per sample.</summary>
    /// <param name="degrees">Largest rotation, in degrees (0 … 180).</param>
    /// <param name="translate">Largest shift along each axis, in pixels (0 or more).</param>
    /// <param name="scale">Largest relative change of size (0 ≤ scale &lt; 1; 0.1 scales by 0.9 … 1.1).</param>
    /// <param name="shear">Largest horizontal shear, in degrees (0 ≤ shear &lt; 90).</param>
    /// <param name="fill">Value of pixels that come from outside the image: the background (0 for inverted Omniglot).</param>
    /// <exception cref="ArgumentOutOfRangeException">An amount is outside its range, or not finite.</exception>
    public RandomAffine(double degrees = 10, double translate = 2, double scale = 0.1, double shear = 10, float fill = 0f)
    {
        Degrees = Check(degrees, nameof(degrees), 0, 180, upperIncluded: true);
        Translate = Check(translate, nameof(translate), 0, double.PositiveInfinity, upperIncluded: false);
        Scale = Check(scale, nameof(scale), 0, 1, upperIncluded: false);
        Shear = Check(shear, nameof(shear), 0, 90, upperIncluded: false);
        if (!float.IsFinite(fill))
        {
            throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be a finite number.");
        }

        Fill = fill;
    }

    /// <summary>Largest rotation, in degrees.</summary>
    public double Degrees { get; }

    /// <summary>Largest shift along each axis, in pixels.</summary>
    public double Translate { get; }

    /// <summary>Largest relative change of size.</summary>
    public double Scale { get; }

    /// <summary>Largest horizontal shear, in degrees.</summary>
    public double Shear { get; }

    /// <summary>Value of pixels that come from outside the image.</summary>
    public float Fill { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The samples have fewer than two dimensions.</exception>
    public override void CheckSampleShape(IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count < 2)
        {
            throw new ArgumentException(
                $"RandomAffine distorts images (…, H, W); the samples have shape [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }
    }

    /// <inheritdoc />
    public override Episode Apply(Episode episode, Random random)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(random);
        CheckSampleShape(episode.SampleShape);
        int height = episode.SampleShape[^2];
        int width = episode.SampleShape[^1];
        int plane = height * width;
        int length = episode.SampleLength;
        float[] source = episode.Samples;
        var distorted = new float[source.Length];
        for (int row = 0; row < episode.SupportCount + episode.QueryCount; row++)
        {
            double angle = Uniform(random, Degrees);
            double shear = Uniform(random, Shear);
            double scale = 1 + Uniform(random, Scale);
            double shiftX = Uniform(random, Translate);
            double shiftY = Uniform(random, Translate);
            for (int start = row * length; start < (row + 1) * length; start += plane)
            {
                Warp(source.AsSpan(start, plane), distorted.AsSpan(start, plane), height, width, angle, shear, scale, shiftX, shiftY, Fill);
            }
        }

        return episode.WithSamples(distorted, episode.ClassNames);
    }

    /// <summary>E.g. <c>RandomAffine(degrees 10, translate 2, scale 0.1, shear 10, fill 0)</c>; identifies the transform in checkpoints.</summary>
    public override string ToString() => FormattableString.Invariant(
        $"{nameof(RandomAffine)}(degrees {Degrees}, translate {Translate}, scale {Scale}, shear {Shear}, fill {Fill})");

    /// <summary>
    /// Writes <paramref name="source"/>, a <paramref name="height"/> × <paramref name="width"/> image, moved by the affine map
    /// that shears horizontally by <paramref name="shearDegrees"/>, scales by <paramref name="scale"/> and rotates by
    /// <paramref name="angleDegrees"/> (clockwise on screen, rows growing downwards) about the centre, then shifts by
    /// (<paramref name="shiftX"/>, <paramref name="shiftY"/>) pixels (right, down).
    /// </summary>
    internal static void Warp(
        ReadOnlySpan<float> source, Span<float> destination, int height, int width,
        double angleDegrees, double shearDegrees, double scale, double shiftX, double shiftY, float fill)
    {
        // Forward map p' = A (p − c) + c + t with A = scale · R(angle) · [[1, tan shear], [0, 1]]; each output pixel
        // reads the input at A⁻¹ (p' − c − t) + c.
        double angle = angleDegrees * Math.PI / 180, tanShear = Math.Tan(shearDegrees * Math.PI / 180);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double a = scale * cos, b = scale * ((cos * tanShear) - sin), c = scale * sin, d = scale * ((sin * tanShear) + cos);
        double determinant = (a * d) - (b * c);
        double ia = d / determinant, ib = -b / determinant, ic = -c / determinant, id = a / determinant;
        double centreX = (width - 1) / 2.0, centreY = (height - 1) / 2.0;
        for (int i = 0; i < height; i++)
        {
            double dy = i - centreY - shiftY;
            for (int j = 0; j < width; j++)
            {
                double dx = j - centreX - shiftX;
                double x = (ia * dx) + (ib * dy) + centreX;
                double y = (ic * dx) + (id * dy) + centreY;
                destination[(i * width) + j] = Bilinear(source, height, width, x, y, fill);
            }
        }
    }

    private static float Bilinear(ReadOnlySpan<float> image, int height, int width, double x, double y, float fill)
    {
        // Snap coordinates within rounding error of a pixel, so whole-pixel moves copy values exactly.
        double rx = Math.Round(x), ry = Math.Round(y);
        x = Math.Abs(x - rx) < 1e-9 ? rx : x;
        y = Math.Abs(y - ry) < 1e-9 ? ry : y;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        double top = Lerp(Pixel(image, height, width, y0, x0, fill), Pixel(image, height, width, y0, x0 + 1, fill), fx);
        double bottom = Lerp(Pixel(image, height, width, y0 + 1, x0, fill), Pixel(image, height, width, y0 + 1, x0 + 1, fill), fx);
        return (float)Lerp(top, bottom, fy);
    }

    private static double Lerp(double from, double to, double t) => t == 0 ? from : from + ((to - from) * t);

    private static float Pixel(ReadOnlySpan<float> image, int height, int width, int row, int column, float fill) =>
        row >= 0 && row < height && column >= 0 && column < width ? image[(row * width) + column] : fill;

    private static double Uniform(Random random, double maximum) => maximum == 0 ? 0 : ((2 * random.NextDouble()) - 1) * maximum;

    private static double Check(double value, string name, double minimum, double maximum, bool upperIncluded)
    {
        bool inRange = double.IsFinite(value) && value >= minimum && (upperIncluded ? value <= maximum : value < maximum);
        return inRange
            ? value
            : throw new ArgumentOutOfRangeException(name, value, double.IsPositiveInfinity(maximum)
                ? $"{name} must be a finite number, {minimum} or more."
                : $"{name} must be a number from {minimum} to {maximum}{(upperIncluded ? "" : " (excluded)")}.");
    }
}
