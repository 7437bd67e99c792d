namespace SharpShot.FewShot;

/// <summary>
/// One few-shot task: <see cref="Ways"/> classes, <see cref="Shots"/> labelled support samples and
/// <see cref="Queries"/> query samples per class, with labels remapped to <c>0 … Ways − 1</c> for this episode
/// (learn2learn's NWays, KShots and RemapLabels). Support and query samples lie in one row-major array,
/// support first, so a learner can run one forward pass over both.
/// </summary>
public sealed class Episode
{
    /// <summary>Creates an episode, checking that the arrays hold whole samples and every class has its shots and queries.</summary>
    /// <param name="index">The episode's index in its sampler's sequence.</param>
    /// <param name="sampleShape">Shape of one sample, without the batch dimension.</param>
    /// <param name="ways">Number of classes, N.</param>
    /// <param name="shots">Support samples per class, K.</param>
    /// <param name="queries">Query samples per class, Q.</param>
    /// <param name="samples">The <c>N·K</c> support samples followed by the <c>N·Q</c> query samples, row-major.</param>
    /// <param name="supportLabels">Episode label of each support sample, in <c>0 … N − 1</c>.</param>
    /// <param name="queryLabels">Episode label of each query sample, in <c>0 … N − 1</c>.</param>
    /// <param name="classNames">The dataset class behind each episode label (label <c>j</c> is <c>classNames[j]</c>).</param>
    /// <exception cref="ArgumentException">A count, length or label does not fit the others.</exception>
    public Episode(
        long index,
        IReadOnlyList<int> sampleShape,
        int ways,
        int shots,
        int queries,
        float[] samples,
        int[] supportLabels,
        int[] queryLabels,
        IReadOnlyList<string> classNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ways);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentOutOfRangeException.ThrowIfNegative(queries);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(supportLabels);
        ArgumentNullException.ThrowIfNull(queryLabels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"Sample shape must have positive dimensions; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }

        int sampleLength = sampleShape.Aggregate(1, (a, b) => checked(a * b));
        int supportCount = checked(ways * shots);
        int queryCount = checked(ways * queries);
        if (samples.Length != checked((long)(supportCount + queryCount) * sampleLength))
        {
            throw new ArgumentException(
                $"A {ways}-way {shots}-shot {queries}-query episode of [{string.Join(", ", sampleShape)}] samples needs {(long)(supportCount + queryCount) * sampleLength} values; got {samples.Length}.",
                nameof(samples));
        }

        if (classNames.Count != ways)
        {
            throw new ArgumentException($"A {ways}-way episode needs {ways} class names; got {classNames.Count}.", nameof(classNames));
        }

        CheckLabels(supportLabels, ways, shots, "support", nameof(supportLabels));
        CheckLabels(queryLabels, ways, queries, "query", nameof(queryLabels));
        Index = index;
        SampleShape = sampleShape.ToArray();
        SampleLength = sampleLength;
        Ways = ways;
        Shots = shots;
        Queries = queries;
        Samples = samples;
        SupportLabels = supportLabels;
        QueryLabels = queryLabels;
        ClassNames = classNames.ToArray();
    }

    /// <summary>The episode's index in its sampler's sequence.</summary>
    public long Index { get; }

    /// <summary>Shape of one sample, without the batch dimension.</summary>
    public IReadOnlyList<int> SampleShape { get; }

    /// <summary>Values per sample.</summary>
    public int SampleLength { get; }

    /// <summary>Number of classes, N.</summary>
    public int Ways { get; }

    /// <summary>Support samples per class, K.</summary>
    public int Shots { get; }

    /// <summary>Query samples per class, Q.</summary>
    public int Queries { get; }

    /// <summary>Number of support samples, <c>N·K</c>.</summary>
    public int SupportCount => Ways * Shots;

    /// <summary>Number of query samples, <c>N·Q</c>.</summary>
    public int QueryCount => Ways * Queries;

    /// <summary>All samples, row-major: the <see cref="SupportCount"/> support samples, then the <see cref="QueryCount"/> query samples.</summary>
    public float[] Samples { get; }

    /// <summary>The support samples, row-major.</summary>
    public ReadOnlyMemory<float> Support => Samples.AsMemory(0, SupportCount * SampleLength);

    /// <summary>The query samples, row-major.</summary>
    public ReadOnlyMemory<float> Query => Samples.AsMemory(SupportCount * SampleLength, QueryCount * SampleLength);

    /// <summary>Episode label (<c>0 … N − 1</c>) of each support sample.</summary>
    public int[] SupportLabels { get; }

    /// <summary>Episode label (<c>0 … N − 1</c>) of each query sample.</summary>
    public int[] QueryLabels { get; }

    /// <summary>The dataset class behind each episode label: label <c>j</c> is <c>ClassNames[j]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// This episode with other sample values (same layout and labels) and, when given, other class names:
    /// what a transform such as <see cref="RotateClasses"/> returns.
    /// </summary>
    /// <exception cref="ArgumentException">The array or the names do not fit the episode.</exception>
    public Episode WithSamples(float[] samples, IReadOnlyList<string>? classNames = null) =>
        new(Index, SampleShape, Ways, Shots, Queries, samples, SupportLabels, QueryLabels, classNames ?? ClassNames);

    private static void CheckLabels(int[] labels, int ways, int perClass, string part, string parameterName)
    {
        if (labels.Length != ways * perClass)
        {
            throw new ArgumentException($"{ways} classes × {perClass} {part} samples need {ways * perClass} {part} labels; got {labels.Length}.", parameterName);
        }

        Span<int> counts = ways <= 256 ? stackalloc int[ways] : new int[ways];
        counts.Clear();
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)ways)
            {
                throw new ArgumentException($"Episode labels must lie in 0 … {ways - 1}; a {part} label is {label}.", parameterName);
            }

            counts[label]++;
        }

        for (int j = 0; j < ways; j++)
        {
            if (counts[j] != perClass)
            {
                throw new ArgumentException($"Every class needs {perClass} {part} samples; label {j} has {counts[j]}.", parameterName);
            }
        }
    }
}
