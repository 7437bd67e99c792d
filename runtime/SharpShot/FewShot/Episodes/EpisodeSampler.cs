using System.Collections;

namespace SharpShot.FewShot;

/// <summary>
/// Draws N-way K-shot episodes from a <see cref="FewShotDataset"/>: N distinct classes, then K + Q
/// distinct samples of each, labels remapped to <c>0 … N − 1</c> in the order the classes were drawn
/// (learn2learn's <c>NWays</c>, <c>KShots</c>, <c>LoadData</c> and <c>RemapLabels</c> in one). Episode
/// <c>i</c> depends only on the seed and <c>i</c>, so a resumed training run sees exactly the episodes an
/// unbroken one would. Sampling is thread-safe.
/// </summary>
/// <remarks>
/// Within an episode the support samples come class by class (K of label 0, then K of label 1, …), and so do
/// the query samples; learners should use the labels rather than rely on that order.
/// </remarks>
public sealed class EpisodeSampler : IEnumerable<Episode>
{
    /// <summary>Creates a sampler, checking that the dataset can supply such episodes.</summary>
    /// <param name="data">The classes to draw from.</param>
    /// <param name="ways">Classes per episode, N (at least 1).</param>
    /// <param name="shots">Support samples per class, K (at least 1).</param>
    /// <param name="queries">Query samples per class, Q (0 or more).</param>
    /// <param name="seed">Seed of the episode sequence.</param>
    /// <param name="transform">Applied to every episode after sampling (e.g. <see cref="RotateClasses"/>); none when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    /// <exception cref="ArgumentException">
    /// The dataset has fewer than N classes, or a class has fewer than K + Q samples (the first such class is named),
    /// or the transform cannot handle the sample shape.
    /// </exception>
    public EpisodeSampler(FewShotDataset data, int ways, int shots, int queries, int seed, EpisodeTransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ways);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentOutOfRangeException.ThrowIfNegative(queries);
        int perClass = checked(shots + queries);
        if (data.Classes.Count < ways)
        {
            throw new ArgumentException(
                $"A {ways}-way episode needs at least {ways} classes; the dataset has {data.Classes.Count}.", nameof(data));
        }

        FewShotClass? tooSmall = data.Classes.FirstOrDefault(c => c.Count < perClass);
        if (tooSmall is not null)
        {
            int small = data.Classes.Count(c => c.Count < perClass);
            throw new ArgumentException(
                $"Class '{tooSmall.Name}' has {tooSmall.Count} samples, but a {shots}-shot {queries}-query episode draws {perClass} distinct samples from every class"
                + $" ({small} of the dataset's {data.Classes.Count} classes are too small). Use fewer shots or queries, or leave such classes out"
                + $" (data.Where(c => c.Count >= {perClass})).",
                nameof(data));
        }

        transform?.CheckSampleShape(data.SampleShape);
        Data = data;
        Ways = ways;
        Shots = shots;
        Queries = queries;
        Seed = seed;
        Transform = transform;
    }

    /// <summary>The dataset episodes are drawn from.</summary>
    public FewShotDataset Data { get; }

    /// <summary>Classes per episode, N.</summary>
    public int Ways { get; }

    /// <summary>Support samples per class, K.</summary>
    public int Shots { get; }

    /// <summary>Query samples per class, Q.</summary>
    public int Queries { get; }

    /// <summary>Seed of the episode sequence.</summary>
    public int Seed { get; }

    /// <summary>The transform applied to every episode, if any.</summary>
    public EpisodeTransform? Transform { get; }

    /// <summary>Episode <paramref name="index"/> of this sampler's sequence: a function of the seed and the index only.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is negative.</exception>
    public Episode Sample(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = new EpisodeRandom(Seed, index, EpisodeRandom.SamplingStream);
        IReadOnlyList<FewShotClass> classes = Data.Classes;
        int sampleLength = Data.SampleLength;
        int perClass = Shots + Queries;

        // N distinct classes: a partial Fisher–Yates shuffle of the class indices.
        int[] classOrder = new int[classes.Count];
        for (int i = 0; i < classOrder.Length; i++)
        {
            classOrder[i] = i;
        }

        PartialShuffle(classOrder, Ways, ref random);

        var samples = new float[checked((long)Ways * perClass * sampleLength)];
        var supportLabels = new int[Ways * Shots];
        var queryLabels = new int[Ways * Queries];
        var names = new string[Ways];
        int queryStart = Ways * Shots;
        int[] sampleOrder = [];
        for (int label = 0; label < Ways; label++)
        {
            FewShotClass chosen = classes[classOrder[label]];
            names[label] = chosen.Name;
            if (sampleOrder.Length != chosen.Count)
            {
                sampleOrder = new int[chosen.Count];
            }

            for (int i = 0; i < sampleOrder.Length; i++)
            {
                sampleOrder[i] = i;
            }

            // K + Q distinct samples of the class: the first K are its support, the rest its queries.
            PartialShuffle(sampleOrder, perClass, ref random);
            for (int s = 0; s < perClass; s++)
            {
                int row;
                if (s < Shots)
                {
                    row = label * Shots + s;
                    supportLabels[row] = label;
                }
                else
                {
                    int q = label * Queries + (s - Shots);
                    queryLabels[q] = label;
                    row = queryStart + q;
                }

                chosen.Sample(sampleOrder[s]).CopyTo(samples.AsSpan(row * sampleLength, sampleLength));
            }
        }

        var episode = new Episode(index, Data.SampleShape, Ways, Shots, Queries, samples, supportLabels, queryLabels, names);
        if (Transform is null)
        {
            return episode;
        }

        var transformRandom = new EpisodeRandom(Seed, index, EpisodeRandom.TransformStream);
        return Transform.Apply(episode, new Random(transformRandom.NextSeed()));
    }

    /// <summary>The episodes <paramref name="start"/>, <paramref name="start"/> + 1, … — endless: take as many as needed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The start is negative.</exception>
    public IEnumerable<Episode> Episodes(long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        return Enumerate(start);
    }

    /// <summary>Endless: episodes 0, 1, 2, …; use <c>Take</c>.</summary>
    public IEnumerator<Episode> GetEnumerator() => Enumerate(0).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<Episode> Enumerate(long start)
    {
        for (long index = start; index < long.MaxValue; index++)
        {
            yield return Sample(index);
        }
    }

    /// <summary>Moves a uniformly drawn ordered selection of <paramref name="count"/> distinct items to the front.</summary>
    private static void PartialShuffle(int[] items, int count, ref EpisodeRandom random)
    {
        for (int i = 0; i < count; i++)
        {
            int j = i + random.Next(items.Length - i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
