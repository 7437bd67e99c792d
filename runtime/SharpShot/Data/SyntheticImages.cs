namespace SharpShot.Data;

/// <summary>
/// A generated stand-in for an image data set, for when no real data is on disk: single-channel images in
/// which each class is a distinct procedural pattern (bars, rings, squares, crosses, ...), drawn with random
/// position, scale, rotation, thickness and contrast and with pixel noise. A small CNN learns it to high
/// accuracy, but no single pixel or global statistic gives the class away.
/// </summary>
public static class SyntheticImages
{
    /// <summary>Smallest supported image side: below it the patterns blur into each other.</summary>
    public const int MinSize = 8;

    // One entry per pattern, in class order; Generate uses the first `classes` of them.
    private static readonly string[] PatternNames =
    [
        "horizontal bars",
        "vertical bars",
        "diagonal stripes",
        "concentric rings",
        "filled square",
        "plus cross",
        "checkerboard",
        "dot grid",
        "triangle",
        "disc",
        "diagonal cross",
        "square outline",
    ];

    private enum Pattern
    {
        HorizontalBars,
        VerticalBars,
        DiagonalStripes,
        ConcentricRings,
        FilledSquare,
        PlusCross,
        Checkerboard,
        DotGrid,
        Triangle,
        Disc,
        DiagonalCross,
        SquareOutline,
    }

    /// <summary>Most classes <see cref="Generate"/> can make: one per distinct pattern.</summary>
    public static int MaxClasses => PatternNames.Length;

    /// <summary>The names of the patterns in class order, describing what each class looks like.</summary>
    /// <param name="classes">How many classes, from 2 to <see cref="MaxClasses"/>.</param>
    public static IReadOnlyList<string> ClassNames(int classes = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, MaxClasses);
        return Array.AsReadOnly(PatternNames[..classes]);
    }

    /// <summary>
    /// Generates a training and a test set of <paramref name="size"/> x <paramref name="size"/> images with
    /// sample shape (1, size, size) and values in [0, 1]. Classes are balanced (counts differ by at most one)
    /// and in random order. The result depends only on the arguments: the same seed gives bit-identical arrays on
    /// every machine and .NET version, and the test set is drawn independently of the training set.
    /// </summary>
    /// <param name="trainCount">Number of training images (may be 0).</param>
    /// <param name="testCount">Number of test images (may be 0).</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="classes">Number of classes, from 2 to <see cref="MaxClasses"/>.</param>
    /// <param name="size">Image height and width in pixels, at least <see cref="MinSize"/>.</param>
    /// <returns>The two sets, with <see cref="ClassNames(int)"/> as class names and <see cref="InputScaling.None"/> (the values are already in [0, 1]).</returns>
    public static (Dataset Train, Dataset Test) Generate(int trainCount, int testCount, int seed = 0, int classes = 10, int size = 28)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, MaxClasses);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        IReadOnlyList<string> names = ClassNames(classes);

        // Separate streams per split, so the test set is not a prefix or shift of the training set.
        Dataset train = GenerateSplit(trainCount, SplitMix64.Mix((ulong)(uint)seed, 1), classes, size, names);
        Dataset test = GenerateSplit(testCount, SplitMix64.Mix((ulong)(uint)seed, 2), classes, size, names);
        return (train, test);
    }

    private static Dataset GenerateSplit(int count, ulong streamSeed, int classes, int size, IReadOnlyList<string> names)
    {
        int pixels = checked(size * size);
        var features = new float[checked(count * pixels)];
        var labels = new int[count];

        // Exact balance, then a Fisher-Yates shuffle so consecutive samples (and mini-batches) mix classes.
        var order = new SplitMix64(SplitMix64.Mix(streamSeed, 0));
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % classes;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = order.NextInt(i + 1);
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }

        // Each image has its own generator derived from its index, so images do not depend on each other and
        // the images can be drawn in parallel with identical results.
        Parallel.For(0, count, i =>
        {
            var random = new SplitMix64(SplitMix64.Mix(streamSeed, (ulong)i + 1));
            Draw((Pattern)labels[i], ref random, size, features.AsSpan(i * pixels, pixels));
        });

        return new Dataset(features, labels, [1, size, size], names, InputScaling.None);
    }

    /// <summary>Parameters of one drawn pattern, in image coordinates scaled to [0, 1].</summary>
    private struct Shape
    {
        public Pattern Pattern;
        public float CenterX, CenterY;   // pattern origin
        public float Cos, Sin;           // rotation
        public float A, B, C;            // pattern-specific sizes (period, radius, half-width, ...)
    }

    private static void Draw(Pattern pattern, ref SplitMix64 random, int size, Span<float> image)
    {
        var shape = new Shape { Pattern = pattern };

        // Jitter of about +-10 degrees keeps orientation a class trait; diagonal patterns add a fixed 45 degrees.
        float tilt = random.NextFloat(-0.18f, 0.18f);
        bool diagonal = pattern is Pattern.DiagonalStripes or Pattern.DiagonalCross;
        shape.CenterX = 0.5f + random.NextFloat(-0.12f, 0.12f);
        shape.CenterY = 0.5f + random.NextFloat(-0.12f, 0.12f);
        switch (pattern)
        {
            case Pattern.HorizontalBars:
            case Pattern.VerticalBars:
            case Pattern.DiagonalStripes:
                shape.A = random.NextFloat(0.17f, 0.3f);               // period
                shape.B = shape.A * random.NextFloat(0.15f, 0.3f);     // half thickness
                break;
            case Pattern.ConcentricRings:
                shape.A = random.NextFloat(0.12f, 0.18f);              // ring spacing
                shape.B = shape.A * random.NextFloat(0.15f, 0.28f);    // ring half thickness
                shape.C = random.NextFloat(0.36f, 0.48f);              // outer radius
                break;
            case Pattern.FilledSquare:
            case Pattern.Disc:
                shape.A = random.NextFloat(0.16f, 0.3f);               // half side / radius
                break;
            case Pattern.PlusCross:
            case Pattern.DiagonalCross:
                shape.A = random.NextFloat(0.24f, 0.38f);              // arm length
                shape.B = random.NextFloat(0.04f, 0.08f);              // arm half thickness
                break;
            case Pattern.Checkerboard:
                shape.A = random.NextFloat(0.14f, 0.24f);              // cell side
                break;
            case Pattern.DotGrid:
                shape.A = random.NextFloat(0.2f, 0.3f);                // spacing
                shape.B = shape.A * random.NextFloat(0.2f, 0.32f);     // dot radius
                break;
            case Pattern.Triangle:
                shape.A = random.NextFloat(0.2f, 0.32f);               // circumradius
                break;
            case Pattern.SquareOutline:
                shape.A = random.NextFloat(0.2f, 0.34f);               // half side
                shape.B = random.NextFloat(0.035f, 0.07f);             // half line width
                break;
        }

        (shape.Cos, shape.Sin) = Rotation(tilt, diagonal);

        float background = random.NextFloat(0f, 0.2f);
        float foreground = random.NextFloat(0.6f, 1f);
        float noise = random.NextFloat(0.04f, 0.2f);
        float inverseSize = 1f / size;
        for (int row = 0; row < size; row++)
        {
            float y = ((row + 0.5f) * inverseSize) - shape.CenterY;
            for (int column = 0; column < size; column++)
            {
                float x = ((column + 0.5f) * inverseSize) - shape.CenterX;
                float along = (shape.Cos * x) + (shape.Sin * y);
                float across = (shape.Cos * y) - (shape.Sin * x);

                // Signed distance in pixels (negative inside) turned into coverage gives one pixel of
                // anti-aliasing, so small jitter changes pixels gradually rather than flipping them.
                float coverage = Math.Clamp(0.5f - (SignedDistance(in shape, along, across) * size), 0f, 1f);

                // Triangular noise (sum of two uniforms): cheaper than Gaussian and just as good for this.
                float value = background + ((foreground - background) * coverage)
                    + (noise * (random.NextFloat() + random.NextFloat() - 1f));
                image[(row * size) + column] = Math.Clamp(value, 0f, 1f);
            }
        }
    }

    /// <summary>Distance from (x, y), in the pattern's rotated frame, to the pattern's edge: negative inside.</summary>
    private static float SignedDistance(in Shape s, float x, float y)
    {
        switch (s.Pattern)
        {
            case Pattern.HorizontalBars:
                return MathF.Abs(Wrap(y, s.A)) - s.B;
            case Pattern.VerticalBars:
            case Pattern.DiagonalStripes:
                return MathF.Abs(Wrap(x, s.A)) - s.B;
            case Pattern.ConcentricRings:
            {
                float radius = MathF.Sqrt((x * x) + (y * y));
                return MathF.Max(MathF.Abs(Wrap(radius, s.A)) - s.B, radius - s.C);
            }

            case Pattern.FilledSquare:
                return MathF.Max(MathF.Abs(x), MathF.Abs(y)) - s.A;
            case Pattern.Disc:
                return MathF.Sqrt((x * x) + (y * y)) - s.A;
            case Pattern.PlusCross:
            case Pattern.DiagonalCross:
            {
                float ax = MathF.Abs(x), ay = MathF.Abs(y);
                return MathF.Min(MathF.Max(ax - s.A, ay - s.B), MathF.Max(ax - s.B, ay - s.A));
            }

            case Pattern.Checkerboard:
            {
                float cx = x / s.A, cy = y / s.A;
                bool dark = (((int)MathF.Floor(cx) + (int)MathF.Floor(cy)) & 1) == 0;
                float edge = MathF.Min(MathF.Abs(cx - MathF.Round(cx)), MathF.Abs(cy - MathF.Round(cy))) * s.A;
                return dark ? edge : -edge;
            }

            case Pattern.DotGrid:
            {
                float dx = Wrap(x, s.A), dy = Wrap(y, s.A);
                return MathF.Sqrt((dx * dx) + (dy * dy)) - s.B;
            }

            case Pattern.Triangle:
            {
                // Equilateral, pointing up: the largest of the three edge half-plane distances.
                const float HalfSqrt3 = 0.8660254f;
                float inradius = s.A * 0.5f;
                float bottom = -y - inradius;
                float right = (HalfSqrt3 * x) + (0.5f * y) - inradius;
                float left = (-HalfSqrt3 * x) + (0.5f * y) - inradius;
                return MathF.Max(bottom, MathF.Max(right, left));
            }

            case Pattern.SquareOutline:
                return MathF.Abs(MathF.Max(MathF.Abs(x), MathF.Abs(y)) - s.A) - s.B;
            default:
                throw new InvalidOperationException($"Unknown pattern {s.Pattern}.");
        }
    }

    /// <summary>
    /// Cosine and sine of <paramref name="tilt"/> (|tilt| &lt;= 0.2), plus 45 degrees when <paramref name="diagonal"/>.
    /// Computed with a short Taylor series instead of MathF.Cos/Sin, whose last bit may differ between
    /// platforms' math libraries: plain float arithmetic keeps the images bit-identical everywhere.
    /// </summary>
    private static (float Cos, float Sin) Rotation(float tilt, bool diagonal)
    {
        // Terms up to t^7 / 7! leave an error below 1e-9 for |t| <= 0.2, far below float precision.
        float t2 = tilt * tilt;
        float cos = 1f - (t2 / 2f * (1f - (t2 / 12f * (1f - (t2 / 30f * (1f - (t2 / 56f)))))));
        float sin = tilt * (1f - (t2 / 6f * (1f - (t2 / 20f * (1f - (t2 / 42f))))));
        if (!diagonal)
        {
            return (cos, sin);
        }

        // Rotate by a further 45 degrees: cos(a + 45) = (cos a - sin a) / sqrt 2, sin(a + 45) = (sin a + cos a) / sqrt 2.
        const float InverseSqrt2 = 0.70710677f;
        return ((cos - sin) * InverseSqrt2, (sin + cos) * InverseSqrt2);
    }

    /// <summary>Offset of <paramref name="value"/> from the nearest multiple of <paramref name="period"/>, in [-period/2, period/2).</summary>
    private static float Wrap(float value, float period) => value - (period * MathF.Round(value / period));
}
