using System.Globalization;

using SharpShot.Data;

namespace SharpShot.FewShot;

/// <summary>
/// A generated stand-in for Omniglot, for tests and offline demos: each class is a random glyph of a few strokes
/// (lines, curves and arcs), and each sample is that glyph drawn again the way a different hand would draw it —
/// stroke ends and bends moved a little, the whole glyph slightly rotated, scaled, sheared and shifted, the pen a
/// little thicker or thinner — plus pixel noise. Strokes are 1 and background 0, as in inverted Omniglot.
/// </summary>
/// <remarks>
/// Classes are grouped like alphabets: the glyphs of a group share a style (how curvy, how many strokes, how
/// thick the pen), so a split by group (<see cref="FewShotDataset.SplitByGroups"/>) tests on unseen styles.
/// </remarks>
public static class SyntheticGlyphs
{
    /// <summary>Smallest supported image side: below it glyphs blur into blobs.</summary>
    public const int MinSize = 8;

    private const int CurveSegments = 10;

    /// <summary>
    /// Generates <paramref name="classes"/> glyph classes of <paramref name="samplesPerClass"/> samples each, sample
    /// shape (1, <paramref name="size"/>, <paramref name="size"/>), values in [0, 1]. The result depends only on the
    /// arguments: the same seed gives bit-identical arrays on every machine and .NET version (no platform math
    /// functions are used), and each class is generated independently of the others from the seed, its index and
    /// its group's style (so with one group the first classes are the same whatever <paramref name="classes"/> is).
    /// </summary>
    /// <param name="classes">Number of classes (glyphs), at least 1.</param>
    /// <param name="samplesPerClass">Samples (drawings) per class, at least 1.</param>
    /// <param name="size">Image height and width in pixels, at least <see cref="MinSize"/>.</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="groups">
    /// Number of groups, from 1 to <paramref name="classes"/>, named <c>group0</c>, <c>group1</c>, ...; classes are
    /// split into contiguous, near-equal runs, each class named <c>groupG/glyphNN</c> (NN numbering all classes).
    /// </param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static FewShotDataset Generate(int classes, int samplesPerClass = 20, int size = 28, int seed = 0, int groups = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerClass, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups, classes);

        int pixels = checked(size * size);
        int digits = Math.Max(2, (classes - 1).ToString(CultureInfo.InvariantCulture).Length);
        var styles = new Style[groups];
        for (int g = 0; g < groups; g++)
        {
            var random = new SplitMix64(SplitMix64.Mix(SplitMix64.Mix((ulong)(uint)seed, 0x6C), (ulong)g));
            styles[g] = new Style
            {
                CurveChance = random.NextDouble(0.15, 0.85),
                MinStrokes = 2 + random.NextInt(2),
                HalfWidth = random.NextDouble(0.036, 0.05),
            };
        }

        var result = new FewShotClass[classes];
        Parallel.For(0, classes, c =>
        {
            int group = (int)((long)c * groups / classes);
            ulong classSeed = SplitMix64.Mix(SplitMix64.Mix((ulong)(uint)seed, 0x67), (ulong)c);
            var random = new SplitMix64(classSeed);
            Point[][] glyph = NewGlyph(ref random, styles[group]);
            var samples = new float[checked(samplesPerClass * pixels)];
            for (int s = 0; s < samplesPerClass; s++)
            {
                var drawing = new SplitMix64(SplitMix64.Mix(classSeed, (ulong)s + 1));
                Draw(glyph, styles[group].HalfWidth, ref drawing, size, samples.AsSpan(s * pixels, pixels));
            }

            string name = $"group{group.ToString(CultureInfo.InvariantCulture)}/glyph{c.ToString("D" + digits, CultureInfo.InvariantCulture)}";
            result[c] = new FewShotClass(name, $"group{group.ToString(CultureInfo.InvariantCulture)}", samples, pixels);
        });

        return new FewShotDataset([1, size, size], result);
    }

    private readonly record struct Point(double X, double Y);

    /// <summary>A group's handwriting style.</summary>
    private struct Style
    {
        public double CurveChance;  // chance that a stroke is a curve or an arc rather than a line
        public int MinStrokes;      // strokes per glyph: MinStrokes or MinStrokes + 1
        public double HalfWidth;    // pen half-width, as a fraction of the image side
    }

    /// <summary>
    /// A glyph: 2 to 4 strokes, each a polyline of control points in the unit square; then the glyph is centred and
    /// scaled so that its larger side spans 0.62 of the image.
    /// </summary>
    private static Point[][] NewGlyph(ref SplitMix64 random, in Style style)
    {
        int count = style.MinStrokes + random.NextInt(2);
        var strokes = new Point[count][];
        for (int i = 0; i < count; i++)
        {
            // Later strokes often start on an earlier one, as pen strokes of a character connect.
            Point? start = i > 0 && random.NextDouble() < 0.6 ? PointOn(strokes[random.NextInt(i)], ref random) : null;
            double kind = random.NextDouble();
            strokes[i] = kind >= style.CurveChance ? Line(start, ref random)
                : kind < style.CurveChance / 2 ? Arc(start, ref random)
                : Curve(start, ref random);
        }

        // Fit into the central 62% of the image, keeping the aspect ratio (a thin glyph stays thin).
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (Point p in strokes.SelectMany(s => s))
        {
            minX = Math.Min(minX, p.X);
            maxX = Math.Max(maxX, p.X);
            minY = Math.Min(minY, p.Y);
            maxY = Math.Max(maxY, p.Y);
        }

        double scale = 0.62 / Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-6);
        double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        foreach (Point[] stroke in strokes)
        {
            for (int k = 0; k < stroke.Length; k++)
            {
                stroke[k] = new Point(0.5 + ((stroke[k].X - cx) * scale), 0.5 + ((stroke[k].Y - cy) * scale));
            }
        }

        return strokes;
    }

    private static Point PointOn(Point[] stroke, ref SplitMix64 random) => stroke[random.NextInt(stroke.Length)];

    private static Point RandomPoint(ref SplitMix64 random) => new(random.NextDouble(0.1, 0.9), random.NextDouble(0.1, 0.9));

    /// <summary>A straight stroke at least 0.3 long.</summary>
    private static Point[] Line(Point? start, ref SplitMix64 random)
    {
        Point a = start ?? RandomPoint(ref random);
        Point b;
        do
        {
            b = RandomPoint(ref random);
        }
        while (Distance(a, b) < 0.3);

        // Three points, so that the per-drawing jitter of the middle one bends it a little, as a hand does.
        return [a, new Point((a.X + b.X) / 2, (a.Y + b.Y) / 2), b];
    }

    /// <summary>A quadratic Bézier curve through a random bend.</summary>
    private static Point[] Curve(Point? start, ref SplitMix64 random)
    {
        Point a = start ?? RandomPoint(ref random);
        Point b;
        do
        {
            b = RandomPoint(ref random);
        }
        while (Distance(a, b) < 0.3);

        Point control = RandomPoint(ref random);
        var points = new Point[CurveSegments + 1];
        for (int k = 0; k <= CurveSegments; k++)
        {
            double t = (double)k / CurveSegments, u = 1 - t;
            points[k] = new Point(
                (u * u * a.X) + (2 * u * t * control.X) + (t * t * b.X),
                (u * u * a.Y) + (2 * u * t * control.Y) + (t * t * b.Y));
        }

        return points;
    }

    /// <summary>A circular arc of 90 to 300 degrees, starting at <paramref name="start"/> when given.</summary>
    private static Point[] Arc(Point? start, ref SplitMix64 random)
    {
        double radius = random.NextDouble(0.15, 0.3);
        double from = random.NextDouble(0, 2 * Math.PI);
        double sweep = random.NextDouble(0.5 * Math.PI, 1.67 * Math.PI) * (random.NextInt(2) == 0 ? 1 : -1);
        (double sin0, double cos0) = SinCos(from);
        Point center = start is { } s
            ? new Point(s.X - (radius * cos0), s.Y - (radius * sin0))
            : new Point(random.NextDouble(0.3, 0.7), random.NextDouble(0.3, 0.7));
        var points = new Point[CurveSegments + 1];
        for (int k = 0; k <= CurveSegments; k++)
        {
            (double sin, double cos) = SinCos(from + (sweep * k / CurveSegments));
            points[k] = new Point(center.X + (radius * cos), center.Y + (radius * sin));
        }

        return points;
    }

    /// <summary>
    /// Draws one rendition of <paramref name="glyph"/>: every control point moved a little, the glyph transformed by
    /// a small random affine map, the pen width changed, anti-aliased strokes, then triangular pixel noise.
    /// </summary>
    private static void Draw(Point[][] glyph, double halfWidth, ref SplitMix64 random, int size, Span<float> image)
    {
        // Affine jitter about the centre: rotation up to ±0.15 rad (about 9 degrees), scale 0.9–1.1 per axis,
        // shear up to ±0.12, shift up to ±0.045 of the image side.
        (double sin, double cos) = SinCos(random.NextDouble(-0.15, 0.15));
        double sx = random.NextDouble(0.9, 1.1), sy = random.NextDouble(0.9, 1.1);
        double shear = random.NextDouble(-0.12, 0.12);
        double tx = random.NextDouble(-0.045, 0.045), ty = random.NextDouble(-0.045, 0.045);
        double a = cos * sx, b = ((cos * shear) - sin) * sy, c = sin * sx, d = ((sin * shear) + cos) * sy;
        double radius = halfWidth * random.NextDouble(0.8, 1.3) * size;

        // Squared distance of each pixel centre to the nearest stroke segment, in pixels; only pixels near a
        // segment's bounding box are visited.
        var nearest = new double[size * size];
        Array.Fill(nearest, double.MaxValue);
        foreach (Point[] stroke in glyph)
        {
            // Per-drawing wobble: the stroke moves by up to ±0.015 and each control point by up to ±0.02 (a line's
            // middle point, so it bends a little) or ±0.005 (a curve's points, so it stays smooth).
            double shiftX = random.NextDouble(-0.015, 0.015), shiftY = random.NextDouble(-0.015, 0.015);
            double jitter = stroke.Length > 3 ? 0.005 : 0.02;
            double previousX = 0, previousY = 0;
            for (int k = 0; k < stroke.Length; k++)
            {
                double x = stroke[k].X - 0.5 + shiftX + random.NextDouble(-jitter, jitter);
                double y = stroke[k].Y - 0.5 + shiftY + random.NextDouble(-jitter, jitter);
                double px = (0.5 + (a * x) + (b * y) + tx) * size;
                double py = (0.5 + (c * x) + (d * y) + ty) * size;
                if (k > 0)
                {
                    Stamp(nearest, size, previousX, previousY, px, py, radius + 1);
                }

                (previousX, previousY) = (px, py);
            }
        }

        for (int p = 0; p < nearest.Length; p++)
        {
            // One pixel of anti-aliasing at the stroke's edge, then triangular noise.
            double coverage = nearest[p] == double.MaxValue ? 0 : Math.Clamp(radius + 0.5 - Math.Sqrt(nearest[p]), 0, 1);
            double noise = 0.06 * (random.NextDouble() + random.NextDouble() - 1);
            image[p] = (float)Math.Clamp(coverage + noise, 0, 1);
        }
    }

    /// <summary>Lowers <paramref name="nearest"/> to the squared distance to the segment for pixels within <paramref name="reach"/> of it.</summary>
    private static void Stamp(double[] nearest, int size, double x0, double y0, double x1, double y1, double reach)
    {
        int left = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - reach));
        int right = Math.Min(size - 1, (int)Math.Ceiling(Math.Max(x0, x1) + reach));
        int top = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - reach));
        int bottom = Math.Min(size - 1, (int)Math.Ceiling(Math.Max(y0, y1) + reach));
        for (int row = top; row <= bottom; row++)
        {
            for (int column = left; column <= right; column++)
            {
                double distance = SegmentDistanceSquared(column + 0.5, row + 0.5, x0, y0, x1, y1);
                int p = (row * size) + column;
                if (distance < nearest[p])
                {
                    nearest[p] = distance;
                }
            }
        }
    }

    private static double SegmentDistanceSquared(double x, double y, double x0, double y0, double x1, double y1)
    {
        double dx = x1 - x0, dy = y1 - y0;
        double lengthSquared = (dx * dx) + (dy * dy);
        double t = lengthSquared > 0 ? Math.Clamp((((x - x0) * dx) + ((y - y0) * dy)) / lengthSquared, 0, 1) : 0;
        double ex = x - (x0 + (t * dx)), ey = y - (y0 + (t * dy));
        return (ex * ex) + (ey * ey);
    }

    private static double Distance(Point a, Point b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    /// <summary>
    /// Sine and cosine from a range reduction to [−π/4, π/4] and Taylor series, in plain double arithmetic: the
    /// platform's <see cref="Math.Sin"/> may differ in the last bit between machines, which would change images.
    /// </summary>
    private static (double Sin, double Cos) SinCos(double angle)
    {
        double quarterTurns = Math.Round(angle / (Math.PI / 2));
        double r = angle - (quarterTurns * (Math.PI / 2));
        double r2 = r * r;

        // Terms to r^17 / r^16: error below 1e-17 for |r| <= π/4.
        double sin = r, cos = 1, term = r, cosTerm = 1;
        for (int n = 1; n <= 8; n++)
        {
            term *= -r2 / ((2 * n) * ((2 * n) + 1));
            cosTerm *= -r2 / (((2 * n) - 1) * (2 * n));
            sin += term;
            cos += cosTerm;
        }

        return (((long)quarterTurns % 4 + 4) % 4) switch
        {
            0 => (sin, cos),
            1 => (cos, -sin),
            2 => (-sin, -cos),
            _ => (-cos, sin),
        };
    }
}
