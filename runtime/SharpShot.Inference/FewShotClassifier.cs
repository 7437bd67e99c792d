using System.Collections.ObjectModel;
using System.Globalization;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// A few-shot classifier over a Prototypical-Networks embedding (Snell et al., 2017) exported to ONNX:
/// <see cref="Fit(ReadOnlySpan{float}, ReadOnlySpan{int})"/> embeds a small labelled support set and keeps
/// each class's prototype, the mean embedding of its support samples; predictions embed each query and
/// score the classes by softmax over the negative squared Euclidean distances to the prototypes.
/// <see cref="ExportAdapted(string)"/> writes one standalone ONNX model with the prototypes baked in, which
/// <see cref="OnnxModel"/> (or any ONNX runtime) runs as a plain classifier.
/// </summary>
/// <remarks>
/// <para>
/// The embedding model maps (batch, sample shape...) to (batch, embedding): one float input with the batch
/// as its first axis and one float output holding one vector per sample, as SharpShot exports a
/// <c>[MetaLearner(MetaAlgorithm.ProtoNet)]</c> backbone ending in Flatten. Prototypes, distances and
/// probabilities are computed in C#; only the embedding runs in ONNX Runtime.
/// </para>
/// <para>
/// Thread safety: once fitted, prediction methods, <see cref="Embed"/> and the export methods may be called
/// from many threads at once. <see cref="Fit(ReadOnlySpan{float}, ReadOnlySpan{int})"/> must not run at the
/// same time as predictions, exports or another Fit: call it before sharing the classifier, or guard it
/// with a lock of your own. (Each prediction reads the prototypes once, so it never mixes two fits, but the
/// class indices it returns refer to whichever fit it saw, which <see cref="Classes"/> read separately may
/// not match.) <see cref="Dispose"/> must not run while any other call is in progress.
/// </para>
/// </remarks>
public sealed partial class FewShotClassifier : IDisposable
{
    private static readonly ReadOnlyCollection<string> NoClasses = Array.AsReadOnly(Array.Empty<string>());

    private readonly OnnxModel _embedding;

    // The embedding model's bytes as loaded, never modified: ExportAdapted parses them into the adapted model.
    private readonly byte[] _modelBytes;

    // Where the model file lies (for tensors kept in external data files); null for a model given as bytes.
    private readonly string? _modelFolder;

    private readonly string _modelDescription;

    // Replaced as a whole by Fit, never mutated, so a prediction that reads it once sees one consistent fit.
    private volatile PrototypeSet? _prototypes;

    // The app's own rejection distance; null uses the one calibrated from the support set.
    private double? _rejectionDistance;
    private volatile bool _disposed;

    private FewShotClassifier(OnnxModel embedding, byte[] modelBytes, ModelSource source, OnnxModelOptions? options)
    {
        _embedding = embedding;
        _modelBytes = modelBytes;
        _modelFolder = source.FilePath is { } file ? Path.GetDirectoryName(file) : null;
        _modelDescription = source.Description;
        _source = source;
        _options = options;
        (_attributeMapName, AttributeNames) = ReadAttributeMetadata(embedding.Metadata, source);
        if (!embedding.SupportsFloatApi)
        {
            throw source.Fail(
                $"FewShotClassifier needs an embedding model with one float input (batch first) and one float output: {embedding.FloatApiObstacle}");
        }
        if (embedding.OutputShape.Count != 1)
        {
            throw source.Fail(
                $"FewShotClassifier needs an embedding model whose output is one vector per sample, shape [batch, embedding], " +
                $"but its output '{embedding.OutputName}' has the per-sample shape {ModelSignature.FormatShape(embedding.OutputShape)} " +
                $"({embedding.OutputShape.Count} axes after the batch). End the network with Flatten (or reshape its output to " +
                $"[batch, {embedding.OutputLength}]) before exporting it.");
        }
    }

    /// <summary>Shape of one sample, without the batch axis, e.g. <c>[1, 28, 28]</c>.</summary>
    public IReadOnlyList<int> InputShape => _embedding.InputShape;

    /// <summary>Number of values in one sample: the product of <see cref="InputShape"/>.</summary>
    public int InputLength => _embedding.InputLength;

    /// <summary>The embedding's image input contract (see <see cref="OnnxModel.ImageInput"/>); <see langword="null"/> when it is not an image model.</summary>
    public ImageInputContract? ImageInput => _embedding.ImageInput;

    /// <summary>Number of values in one sample's embedding, and in each prototype.</summary>
    public int EmbeddingLength => _embedding.OutputLength;

    /// <summary>The embedding model's <c>metadata_props</c> (input shape and scaling, model name, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _embedding.Metadata;

    /// <summary>Whether <see cref="Fit(ReadOnlySpan{float}, ReadOnlySpan{int})"/> has run, so that predictions can be made.</summary>
    public bool IsFitted => _prototypes is not null;

    /// <summary>
    /// Class names of the last fit, in the order of their first appearance in its support labels; the
    /// predicted class indices and the columns of the probabilities index this list. Integer labels are named
    /// by their invariant-culture decimal text (label 7 is <c>"7"</c>). Empty before the first fit.
    /// </summary>
    public IReadOnlyList<string> Classes => _prototypes?.Classes ?? NoClasses;

    /// <summary>Number of classes of the last fit; 0 before the first fit.</summary>
    public int ClassCount => _prototypes?.Classes.Count ?? 0;

    /// <summary>Loads an embedding model file.</summary>
    /// <param name="path">The <c>.onnx</c> file: one float input (batch, sample shape...), one float output (batch, embedding).</param>
    /// <param name="options">Session settings; <see langword="null"/> for ONNX Runtime's defaults on the CPU.</param>
    /// <returns>An unfitted classifier; call <see cref="Fit(ReadOnlySpan{float}, ReadOnlySpan{int})"/> before predicting.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxModelLoadException">The file is not a model OnnxModel can run, or its output is not one vector per sample; the message says why.</exception>
    /// <remarks>The file's bytes are kept in memory for <see cref="ExportAdapted(string)"/>.</remarks>
    public static FewShotClassifier Load(string path, OnnxModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        // The bytes OnnxModel read (within its size limit) are the model ExportAdapted extends: the file is read once.
        var embedding = OnnxModel.Load(fullPath, options, out var bytes);
        try
        {
            return new FewShotClassifier(embedding, bytes, ModelSource.File(fullPath), options);
        }
        catch
        {
            embedding.Dispose();
            throw;
        }
    }

    /// <summary>Loads an embedding model from its serialized bytes.</summary>
    /// <param name="model">The contents of an <c>.onnx</c> file: one float input (batch, sample shape...), one float output (batch, embedding). Copied.</param>
    /// <param name="options">Session settings; <see langword="null"/> for ONNX Runtime's defaults on the CPU.</param>
    /// <returns>An unfitted classifier; call <see cref="Fit(ReadOnlySpan{float}, ReadOnlySpan{int})"/> before predicting.</returns>
    /// <exception cref="OnnxModelLoadException">The bytes are not a model OnnxModel can run, or its output is not one vector per sample; the message says why.</exception>
    public static FewShotClassifier Load(byte[] model, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A private copy: the caller may reuse the array, and ExportAdapted must see the model that was loaded.
        var bytes = (byte[])model.Clone();
        var embedding = OnnxModel.Load(bytes, options);
        try
        {
            return new FewShotClassifier(embedding, bytes, ModelSource.Bytes(bytes.Length), options);
        }
        catch
        {
            embedding.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Computes the class prototypes from a labelled support set: each class's prototype is the mean
    /// embedding of its support samples. A new fit replaces the previous one entirely.
    /// </summary>
    /// <param name="supportSamples">The support samples, <see cref="InputLength"/> values each in row-major <see cref="InputShape"/> order, one after another: as many samples as labels.</param>
    /// <param name="supportLabels">One non-negative class id per support sample. The classes are the distinct ids in order of first appearance: class index 0 is the first sample's label, which need not be 0.</param>
    /// <exception cref="ArgumentException">The support set is empty, or a support sample's embedding is not finite.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="supportSamples"/> does not hold one sample per label.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is negative.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void Fit(ReadOnlySpan<float> supportSamples, ReadOnlySpan<int> supportLabels)
    {
        ThrowIfDisposed();
        CheckSupport(supportSamples, supportLabels.Length);
        // Integer ids are class names written in decimal: distinct ids are distinct names, in the same order of first appearance.
        var names = new string[supportLabels.Length];
        for (var i = 0; i < supportLabels.Length; i++)
        {
            var label = supportLabels[i];
            if (label < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(supportLabels), label,
                    $"Support label {i} is {label}; integer labels must be non-negative class ids (use the Fit overload that takes string labels for names).");
            }
            names[i] = label.ToString(CultureInfo.InvariantCulture);
        }
        _prototypes = PrototypeSet.FromEmbeddings(EmbedSupport(supportSamples, names.Length), EmbeddingLength, names);
    }

    /// <summary>
    /// Computes the class prototypes from a support set labelled by class name: each class's prototype is
    /// the mean embedding of its support samples. A new fit replaces the previous one entirely.
    /// </summary>
    /// <param name="supportSamples">The support samples, <see cref="InputLength"/> values each in row-major <see cref="InputShape"/> order, one after another: as many samples as labels.</param>
    /// <param name="supportLabels">One class name per support sample, compared ordinally. The classes are the distinct names in order of first appearance.</param>
    /// <exception cref="ArgumentNullException"><paramref name="supportLabels"/> is null.</exception>
    /// <exception cref="ArgumentException">The support set is empty, a label is null, or a support sample's embedding is not finite.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="supportSamples"/> does not hold one sample per label.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void Fit(ReadOnlySpan<float> supportSamples, IReadOnlyList<string> supportLabels)
    {
        ArgumentNullException.ThrowIfNull(supportLabels);
        ThrowIfDisposed();
        _prototypes = PrototypeSet.FromEmbeddings(EmbedSupport(supportSamples, supportLabels.Count), EmbeddingLength, supportLabels);
    }

    /// <summary>
    /// Adds labelled examples without refitting the others: examples of a known class join its prototype, a new label
    /// becomes a new class after the others. Only the new samples are embedded; the result equals, bit for bit, a
    /// <see cref="Fit(ReadOnlySpan{float}, IReadOnlyList{string})"/> on the old and new examples together. Before any fit, it fits.
    /// </summary>
    /// <param name="samples">The new samples, <see cref="InputLength"/> values each, one after another: as many as labels.</param>
    /// <param name="labels">One class name per sample.</param>
    /// <exception cref="ArgumentException">No labels, a null label, or a sample whose embedding is not finite.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="samples"/> does not hold one sample per label.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <remarks>Like Fit, not to be called while predictions or another change run.</remarks>
    public void AddExamples(ReadOnlySpan<float> samples, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ThrowIfDisposed();
        float[] embeddings = EmbedSupport(samples, labels.Count);
        _prototypes = _prototypes is { } current
            ? current.WithExamples(embeddings, labels)
            : PrototypeSet.FromEmbeddings(embeddings, EmbeddingLength, labels);
    }

    /// <summary>Removes a class and its examples; the other prototypes are unchanged.</summary>
    /// <exception cref="ArgumentException">No class has that label.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted, or it is the only class.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void RemoveClass(string label) => _prototypes = RequireFitted("remove a class").WithoutClass(label);

    /// <summary>
    /// The distance (Euclidean, in embedding space) beyond which <see cref="PredictOrUnknown"/> and
    /// <see cref="ClassifyLabelOrUnknown"/> answer "unknown": by default <see cref="PrototypeSet.RejectionDistance"/>,
    /// calibrated from the support set after every fit or change (the largest leave-one-out distance of a support example
    /// to its class's prototype; with one example per class, half the smallest distance between prototypes). Set it to
    /// your own value (kept across fits), or to null to go back to the calibrated one; infinity rejects nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to NaN or a negative number.</exception>
    /// <exception cref="InvalidOperationException">Read before the classifier has been fitted, with no value of your own.</exception>
    public double? RejectionDistance
    {
        get => _rejectionDistance ?? RequireFitted("calibrate a rejection distance").RejectionDistance;
        set => _rejectionDistance = value is double v && (double.IsNaN(v) || v < 0)
            ? throw new ArgumentOutOfRangeException(nameof(value), v, "The rejection distance must be 0 or more (infinity rejects nothing).")
            : value;
    }

    /// <summary>The prototypes of the last fit: <see cref="ClassCount"/> rows of <see cref="EmbeddingLength"/> values, in <see cref="Classes"/> order. A copy.</summary>
    /// <returns>The prototypes, row-major.</returns>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public float[] GetPrototypes() => RequireFitted("read prototypes").Values.ToArray();

    /// <summary>Releases the embedding model's native session. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _embedding.Dispose();
        _attributeMap?.Dispose();
    }

    private void CheckSupport(ReadOnlySpan<float> supportSamples, int labelCount)
    {
        if (labelCount == 0)
        {
            if (supportSamples.IsEmpty)
            {
                throw new ArgumentException(
                    "The support set is empty: Fit needs at least one labelled sample per class.", nameof(supportSamples));
            }
            throw new ShapeMismatchException(nameof(supportSamples),
                $"Fit got {supportSamples.Length} support values but no labels; pass one label per support sample of {InputLength} values (shape {FormatInputShape()}).",
                0, supportSamples.Length);
        }
        var expected = (long)labelCount * InputLength;
        if (supportSamples.Length != expected)
        {
            var given = supportSamples.Length % InputLength == 0
                ? $"{supportSamples.Length / InputLength} samples"
                : "not a whole number of samples";
            throw new ShapeMismatchException(nameof(supportSamples),
                $"Expected {labelCount} x {InputLength} = {expected} support values for {labelCount} labels (sample shape {FormatInputShape()}), " +
                $"got {supportSamples.Length} ({given}).",
                expected, supportSamples.Length);
        }
    }

    /// <summary>Checks that <paramref name="samples"/> holds <paramref name="count"/> samples and embeds them.</summary>
    private float[] EmbedSupport(ReadOnlySpan<float> samples, int count)
    {
        CheckSupport(samples, count);
        var embeddings = new float[(long)count * EmbeddingLength];
        EmbedInto(samples, count, embeddings);
        return embeddings;
    }

    /// <summary>Runs the embedding over <paramref name="count"/> samples into <paramref name="embeddings"/> (<see cref="OnnxModel.PredictMany"/>).</summary>
    private void EmbedInto(ReadOnlySpan<float> samples, int count, Span<float> embeddings) => _embedding.PredictMany(samples, count, embeddings);

    private PrototypeSet RequireFitted(string action)
    {
        ThrowIfDisposed();
        return _prototypes ?? throw new InvalidOperationException(
            $"The FewShotClassifier has no class prototypes yet, so it cannot {action}: call Fit with a labelled support set first.");
    }

    private string FormatInputShape() => ModelSignature.FormatShape(InputShape);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
