using SharpShot.Data;

namespace SharpShot.FewShot;

/// <summary>
/// One class of a few-shot dataset: a handful of samples (e.g. the 20 drawings of an Omniglot character)
/// stored row-major in one array.
/// </summary>
public sealed class FewShotClass
{
    /// <summary>Creates a class, checking that <paramref name="samples"/> holds whole samples.</summary>
    /// <param name="name">Unique name within its dataset, e.g. <c>Greek/character05</c> or <c>Greek/character05@90</c> for a rotation.</param>
    /// <param name="group">The group the class belongs to (an Omniglot alphabet); splits keep groups together when asked.</param>
    /// <param name="samples">The samples, row-major, <paramref name="sampleLength"/> values each.</param>
    /// <param name="sampleLength">Values per sample.</param>
    /// <exception cref="ArgumentException">The array is empty or not a whole number of samples.</exception>
    public FewShotClass(string name, string group, float[] samples, int sampleLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleLength);
        if (samples.Length == 0 || samples.Length % sampleLength != 0)
        {
            throw new ArgumentException($"Class '{name}' needs a whole, positive number of {sampleLength}-value samples; got {samples.Length} values.", nameof(samples));
        }

        Name = name;
        Group = group;
        Samples = samples;
        SampleLength = sampleLength;
    }

    /// <summary>Unique name within its dataset.</summary>
    public string Name { get; }

    /// <summary>The group (e.g. alphabet) the class belongs to.</summary>
    public string Group { get; }

    /// <summary>All samples, row-major.</summary>
    public float[] Samples { get; }

    /// <summary>Values per sample.</summary>
    public int SampleLength { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Samples.Length / SampleLength;

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => Samples.AsSpan(checked(index * SampleLength), SampleLength);
}

/// <summary>
/// A few-shot dataset: many classes with few samples each, all of one sample shape. Episodes are drawn
/// from its classes; class-disjoint splits (by class or by group) keep test classes unseen in training.
/// </summary>
public sealed class FewShotDataset
{
    /// <summary>Creates the dataset, checking that every class has the sample shape and a unique name.</summary>
    /// <param name="sampleShape">Shape of one sample without the batch dimension.</param>
    /// <param name="classes">The classes.</param>
    /// <param name="scaling">How raw values (e.g. 8-bit pixels) became the samples' values; recorded in exported models. Defaults to <see cref="InputScaling.None"/>.</param>
    /// <exception cref="ArgumentException">A class has another sample length, or two classes share a name.</exception>
    public FewShotDataset(IReadOnlyList<int> sampleShape, IReadOnlyList<FewShotClass> classes, InputScaling? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(classes);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"Sample shape must have positive dimensions; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }

        SampleShape = sampleShape.ToArray();
        SampleLength = SampleShape.Aggregate(1, (a, b) => checked(a * b));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (FewShotClass c in classes)
        {
            if (c.SampleLength != SampleLength)
            {
                throw new ArgumentException($"Class '{c.Name}' has {c.SampleLength}-value samples; the dataset's shape [{string.Join(", ", SampleShape)}] needs {SampleLength}.", nameof(classes));
            }

            if (!names.Add(c.Name))
            {
                throw new ArgumentException($"Two classes are named '{c.Name}'.", nameof(classes));
            }
        }

        Classes = classes.ToArray();
        Scaling = scaling ?? InputScaling.None;
    }

    /// <summary>How raw values became the samples' values (a meta-learner records it in the models it exports).</summary>
    public InputScaling Scaling { get; }

    /// <summary>Shape of one sample, without the batch dimension.</summary>
    public IReadOnlyList<int> SampleShape { get; }

    /// <summary>Values per sample.</summary>
    public int SampleLength { get; }

    /// <summary>The classes.</summary>
    public IReadOnlyList<FewShotClass> Classes { get; }

    /// <summary>The distinct groups, in order of first appearance.</summary>
    public IReadOnlyList<string> Groups => Classes.Select(c => c.Group).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The classes of a labelled data set as a few-shot data set: one class per label that has samples, named as
    /// <paramref name="data"/> names it (e.g. Fashion-MNIST's <c>Coat</c>), with the same sample shape and scaling.
    /// </summary>
    /// <param name="data">The labelled samples.</param>
    /// <param name="group">The group every class gets; empty by default.</param>
    /// <exception cref="ArgumentException">The data set has no samples.</exception>
    public static FewShotDataset FromLabelled(Dataset data, string group = "")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(group);
        if (data.Count == 0)
        {
            throw new ArgumentException("The data set has no samples to make classes of.", nameof(data));
        }

        var counts = new int[data.ClassCount];
        foreach (int label in data.Labels)
        {
            counts[label]++;
        }

        var samples = counts.Select(n => new float[(long)n * data.SampleLength]).ToArray();
        var filled = new int[counts.Length];
        for (int i = 0; i < data.Count; i++)
        {
            int label = data.Labels[i];
            data.Sample(i).CopyTo(samples[label].AsSpan(filled[label]++ * data.SampleLength));
        }

        FewShotClass[] classes = Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0)
            .Select(c => new FewShotClass(data.ClassNames[c], group, samples[c], data.SampleLength)).ToArray();
        return new FewShotDataset(data.SampleShape, classes, data.Scaling);
    }

    /// <summary>A dataset of the classes that satisfy <paramref name="predicate"/> (sharing their sample arrays).</summary>
    public FewShotDataset Where(Func<FewShotClass, bool> predicate) => new(SampleShape, Classes.Where(predicate).ToArray(), Scaling);

    /// <summary>
    /// Splits by group: classes whose group is in <paramref name="testGroups"/> go to the test set, the rest to training.
    /// </summary>
    /// <exception cref="ArgumentException">A named group does not exist (names the groups that do).</exception>
    public (FewShotDataset Train, FewShotDataset Test) SplitByGroups(IEnumerable<string> testGroups)
    {
        var wanted = new HashSet<string>(testGroups, StringComparer.Ordinal);
        string[] unknown = wanted.Except(Groups, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"Unknown group(s) {string.Join(", ", unknown)}; the dataset has {string.Join(", ", Groups)}.", nameof(testGroups));
        }

        return (Where(c => !wanted.Contains(c.Group)), Where(c => wanted.Contains(c.Group)));
    }
}
