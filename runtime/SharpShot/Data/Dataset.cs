namespace SharpShot.Data;

/// <summary>How raw values were turned into model inputs: <c>input = raw * Scale + Offset</c>.</summary>
/// <param name="Scale">Multiplier applied to raw values.</param>
/// <param name="Offset">Added after scaling.</param>
/// <param name="Description">Human-readable form, written into exported models.</param>
public sealed record InputScaling(double Scale, double Offset, string Description)
{
    /// <summary>8-bit pixels divided by 255 into [0, 1].</summary>
    public static InputScaling PixelsToUnitRange { get; } = new(1.0 / 255.0, 0.0, "x / 255 (uint8 pixels to [0, 1])");

    /// <summary>8-bit pixels divided by 255 and inverted into [0, 1] (dark strokes on a light background become 1 on 0).</summary>
    public static InputScaling InvertedPixelsToUnitRange { get; } = new(-1.0 / 255.0, 1.0, "1 - x / 255 (uint8 pixels to [0, 1], inverted)");

    /// <summary>Values used as they are.</summary>
    public static InputScaling None { get; } = new(1.0, 0.0, "none");

    /// <summary>
    /// The raw values behind scaled ones, <c>(value - Offset) / Scale</c>, computed in double: what an exported image
    /// model (whose graph applies the scaling itself, see <see cref="SequentialModel.ExportOnnx(string, int)"/>) takes
    /// for data that was scaled when loaded.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scale is 0, so the raw values are lost.</exception>
    public float[] ToRaw(ReadOnlySpan<float> values)
    {
        if (Scale == 0)
        {
            throw new InvalidOperationException($"The scaling '{Description}' has scale 0: the raw values cannot be recovered.");
        }

        var raw = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            raw[i] = (float)((values[i] - Offset) / Scale);
        }

        return raw;
    }
}

/// <summary>
/// An in-memory labelled dataset: <see cref="Count"/> samples of shape <see cref="SampleShape"/>, stored
/// row-major in one array, with integer class labels in [0, <see cref="ClassCount"/>).
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a dataset, checking that features, labels and shape agree.</summary>
    /// <param name="features">All samples, row-major: <c>Count * product(sampleShape)</c> values.</param>
    /// <param name="labels">One class index per sample.</param>
    /// <param name="sampleShape">Shape of one sample without the batch dimension, e.g. (1, 28, 28).</param>
    /// <param name="classNames">Names of the classes in label order; when null, classes are named by their index.</param>
    /// <param name="scaling">How raw values were scaled into <paramref name="features"/>; recorded in exported models.</param>
    /// <exception cref="ArgumentException">The arrays disagree with each other or with the shape, or a label is out of range.</exception>
    public Dataset(float[] features, int[] labels, IReadOnlyList<int> sampleShape, IReadOnlyList<string>? classNames = null, InputScaling? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"Sample shape must have positive dimensions; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        }

        SampleShape = sampleShape.ToArray();
        SampleLength = SampleShape.Aggregate(1, (a, b) => checked(a * b));
        if (features.Length != (long)labels.Length * SampleLength)
        {
            throw new ArgumentException(
                $"Expected {labels.Length} samples x {SampleLength} values ([{string.Join(", ", SampleShape)}]) = {(long)labels.Length * SampleLength} features; got {features.Length}.",
                nameof(features));
        }

        int maxLabel = labels.Length == 0 ? -1 : labels.Max();
        int classCount = classNames?.Count ?? maxLabel + 1;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentException($"Label {labels[i]} at sample {i} is outside [0, {classCount}).", nameof(labels));
            }
        }

        Features = features;
        Labels = labels;
        ClassNames = classNames?.ToArray() ?? Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Scaling = scaling ?? InputScaling.None;
    }

    /// <summary>All samples, row-major.</summary>
    public float[] Features { get; }

    /// <summary>Class index of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>Shape of one sample without the batch dimension.</summary>
    public IReadOnlyList<int> SampleShape { get; }

    /// <summary>Values per sample (product of <see cref="SampleShape"/>).</summary>
    public int SampleLength { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>How raw values were scaled into <see cref="Features"/>.</summary>
    public InputScaling Scaling { get; }

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(checked(index * SampleLength), SampleLength);

    /// <summary>A copy holding samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public Dataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Slice [{start}, {start + count}) exceeds the {Count} samples.");
        }

        return new Dataset(
            Features.AsSpan(start * SampleLength, count * SampleLength).ToArray(),
            Labels.AsSpan(start, count).ToArray(),
            SampleShape,
            ClassNames,
            Scaling);
    }
}
