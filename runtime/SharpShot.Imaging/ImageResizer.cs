using System.Buffers;

namespace SharpShot.Imaging;

/// <summary>What the planar floats <see cref="ImageResizer.ToPlanar"/> writes hold.</summary>
public enum PixelValues
{
    /// <summary>Pixel values as they are, 0 to 255 (area averages are fractional).</summary>
    Raw,

    /// <summary>Divided by 255, into [0, 1].</summary>
    UnitRange,

    /// <summary>1 − value / 255: dark strokes on a light background become 1 on 0 (Omniglot).</summary>
    InvertedUnitRange,
}

/// <summary>
/// Turns pixels into a model's input: <c>channels</c> planes (1: grey, 3: red, green, blue) of height × width floats,
/// resized by area averaging.
/// </summary>
/// <remarks>
/// Area averaging is a box filter: each output pixel is the mean of the source area it covers, partly covered source
/// pixels weighted by the covered fraction (exact, computed in integers). Downscaling keeps the mean of the image;
/// upscaling repeats source pixels (each output pixel takes the source pixel, or the two, under it). Colour becomes
/// grey as stb_image computes luma, <c>(77 r + 150 g + 29 b) >> 8</c>, so pixels given here and a file decoded as
/// <see cref="ImageColor.Gray"/> agree; grey becomes colour by repeating it. Alpha is ignored.
/// </remarks>
public static class ImageResizer
{
    /// <summary>Writes <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> values for <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">The pixels.</param>
    /// <param name="channels">1 (grey) or 3 (red, green, blue planes).</param>
    /// <param name="height">Output rows; at least 1.</param>
    /// <param name="width">Output columns; at least 1.</param>
    /// <param name="values">Raw values or scaled to [0, 1], optionally inverted.</param>
    /// <param name="destination">At least channels × height × width values; the rest is untouched.</param>
    /// <exception cref="ArgumentException">Channels other than 1 or 3, a size below 1, or a destination too short.</exception>
    public static void ToPlanar(PixelBuffer source, int channels, int height, int width, PixelValues values, Span<float> destination)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"Expected 1 (grey) or 3 (red, green, blue) channels; got {channels}.", nameof(channels));
        }

        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"The output is at least 1 x 1 pixels; got {height} x {width}.", nameof(height));
        }

        long needed = (long)channels * height * width;
        if (destination.Length < needed)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {channels} x {height} x {width} needs {needed}.", nameof(destination));
        }

        if (values is not (PixelValues.Raw or PixelValues.UnitRange or PixelValues.InvertedUnitRange))
        {
            throw new ArgumentOutOfRangeException(nameof(values), values, "Not a PixelValues value.");
        }

        (int[] xStart, float[][] xWeights) = AxisWeights(source.Width, width);
        (int[] yStart, float[][] yWeights) = AxisWeights(source.Height, height);
        float[] rows = ArrayPool<float>.Shared.Rent(checked(source.Height * width));
        byte[] line = ArrayPool<byte>.Shared.Rent(source.Width);
        try
        {
            const float Scale = 1f / 255f;
            bool raw = values == PixelValues.Raw;
            float max = raw ? 255f : 1f;
            for (int c = 0; c < channels; c++)
            {
                // Horizontal pass: every source row to `width` columns.
                for (int y = 0; y < source.Height; y++)
                {
                    Channel(source, y, channels, c, line);
                    for (int ox = 0; ox < width; ox++)
                    {
                        float[] w = xWeights[ox];
                        int start = xStart[ox];
                        float sum = 0f;
                        for (int k = 0; k < w.Length; k++)
                        {
                            sum += w[k] * line[start + k];
                        }

                        rows[(y * width) + ox] = raw ? sum : sum * Scale;
                    }
                }

                // Vertical pass: the source's rows to `height` rows.
                Span<float> plane = destination.Slice(c * height * width, height * width);
                for (int oy = 0; oy < height; oy++)
                {
                    float[] w = yWeights[oy];
                    int start = yStart[oy];
                    for (int ox = 0; ox < width; ox++)
                    {
                        float sum = 0f;
                        for (int k = 0; k < w.Length; k++)
                        {
                            sum += w[k] * rows[((start + k) * width) + ox];
                        }

                        sum = Math.Clamp(sum, 0f, max);
                        plane[(oy * width) + ox] = values == PixelValues.InvertedUnitRange ? 1f - sum : sum;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rows);
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    /// <summary>Row <paramref name="y"/>'s values of output channel <paramref name="channel"/> (of <paramref name="channels"/>).</summary>
    private static void Channel(PixelBuffer source, int y, int channels, int channel, byte[] line)
    {
        ReadOnlySpan<byte> row = source.Pixels.Slice(y * source.Stride, source.Width * PixelBuffer.BytesPerPixel(source.Format));
        int width = source.Width;
        if (source.Format == PixelFormat.Gray8)
        {
            row.CopyTo(line);
            return;
        }

        int step = PixelBuffer.BytesPerPixel(source.Format);
        bool bgr = source.Format is PixelFormat.Bgr24 or PixelFormat.Bgra32;
        int r = bgr ? 2 : 0, b = bgr ? 0 : 2;
        if (channels == 1)
        {
            for (int x = 0; x < width; x++)
            {
                int p = x * step;
                line[x] = (byte)(((row[p + r] * 77) + (row[p + 1] * 150) + (29 * row[p + b])) >> 8);
            }

            return;
        }

        int offset = channel switch { 0 => r, 1 => 1, _ => b };
        for (int x = 0; x < width; x++)
        {
            line[x] = row[(x * step) + offset];
        }
    }

    /// <summary>
    /// For each of <paramref name="target"/> output pixels, the first source pixel it covers and the weights of the
    /// source pixels it covers (summing to 1). Computed in integers scaled by <paramref name="target"/>, so the
    /// overlaps are exact.
    /// </summary>
    private static (int[] Start, float[][] Weights) AxisWeights(int source, int target)
    {
        var starts = new int[target];
        var weights = new float[target][];
        for (int i = 0; i < target; i++)
        {
            // Output pixel i covers [i*source, (i+1)*source) and source pixel j covers [j*target, (j+1)*target).
            long lo = (long)i * source, hi = (long)(i + 1) * source;
            int first = (int)(lo / target);
            int last = (int)((hi - 1) / target);
            var w = new float[last - first + 1];
            for (int j = first; j <= last; j++)
            {
                long overlap = Math.Min((long)(j + 1) * target, hi) - Math.Max((long)j * target, lo);
                w[j - first] = (float)((double)overlap / source);
            }

            starts[i] = first;
            weights[i] = w;
        }

        return (starts, weights);
    }
}
