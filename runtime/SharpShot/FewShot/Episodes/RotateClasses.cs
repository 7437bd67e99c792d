namespace SharpShot.FewShot;

/// <summary>
/// Augmentation for square images: turns every class of an episode — all its support and query samples
/// alike — by a randomly chosen multiple of 90°, so a rotated character acts as a new class (the
/// standard Omniglot augmentation). Rotations are counterclockwise over the last two dimensions
/// (height, width), channel by channel, as <c>numpy.rot90</c> and <c>torch.rot90(x, k, (-2, -1))</c> turn;
/// a turned class's name gets <c>@90</c>, <c>@180</c> or <c>@270</c> appended.
/// </summary>
public sealed class RotateClasses : EpisodeTransform
{
    /// <summary>Chooses among 0°, 90°, 180° and 270° with equal chance.</summary>
    public RotateClasses() : this(0, 1, 2, 3)
    {
    }

    /// <summary>Chooses among the given numbers of counterclockwise quarter turns with equal chance.</summary>
    /// <param name="quarterTurns">The choices, each 0, 1, 2 or 3 (a repeated value is chosen more often).</param>
    /// <exception cref="ArgumentException">No choices, or one outside 0 … 3.</exception>
    public RotateClasses(params int[] quarterTurns)
    {
        ArgumentNullException.ThrowIfNull(quarterTurns);
        if (quarterTurns.Length == 0 || quarterTurns.Any(k => k is < 0 or > 3))
        {
            throw new ArgumentException(
                $"Quarter turns must be a non-empty choice of 0, 1, 2 or 3; got [{string.Join(", ", quarterTurns)}].", nameof(quarterTurns));
        }

        QuarterTurns = quarterTurns.ToArray();
    }

    /// <summary>The numbers of quarter turns chosen among.</summary>
    public IReadOnlyList<int> QuarterTurns { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The samples are not square images (the last two dimensions differ, or there are fewer than two).</exception>
    public override void CheckSampleShape(IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count < 2 || sampleShape[^1] != sampleShape[^2])
        {
            throw new ArgumentException(
                $"RotateClasses turns square images (…, H, W) with H = W; the samples have shape [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }
    }

    /// <inheritdoc />
    public override Episode Apply(Episode episode, Random random)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(random);
        CheckSampleShape(episode.SampleShape);
        var turns = new int[episode.Ways];
        for (int j = 0; j < turns.Length; j++)
        {
            turns[j] = QuarterTurns[random.Next(QuarterTurns.Count)];
        }

        int size = episode.SampleShape[^1];
        int length = episode.SampleLength;
        float[] source = episode.Samples;
        var rotated = new float[source.Length];
        for (int row = 0; row < episode.SupportCount + episode.QueryCount; row++)
        {
            int label = row < episode.SupportCount ? episode.SupportLabels[row] : episode.QueryLabels[row - episode.SupportCount];
            for (int plane = row * length; plane < (row + 1) * length; plane += size * size)
            {
                Rotate(source.AsSpan(plane, size * size), rotated.AsSpan(plane, size * size), size, turns[label]);
            }
        }

        string[] names = episode.ClassNames.Select((name, j) => turns[j] == 0 ? name : $"{name}@{turns[j] * 90}").ToArray();
        return episode.WithSamples(rotated, names);
    }

    /// <summary>E.g. <c>RotateClasses(0, 1, 2, 3)</c>: the choices, which also identify the transform in meta-training checkpoints.</summary>
    public override string ToString() => $"{nameof(RotateClasses)}({string.Join(", ", QuarterTurns)})";

    /// <summary>Writes <paramref name="source"/>, a <paramref name="size"/>² image, turned counterclockwise by <paramref name="quarterTurns"/> × 90°.</summary>
    internal static void Rotate(ReadOnlySpan<float> source, Span<float> destination, int size, int quarterTurns)
    {
        int last = size - 1;
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                // out[i, j] = in[j, n−1−i] for one quarter turn; composed for two and three.
                int from = (quarterTurns & 3) switch
                {
                    0 => (i * size) + j,
                    1 => (j * size) + (last - i),
                    2 => ((last - i) * size) + (last - j),
                    _ => ((last - j) * size) + i,
                };
                destination[(i * size) + j] = source[from];
            }
        }
    }
}
