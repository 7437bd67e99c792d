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
    /// <summary>Most samples sent to ONNX Runtime in one run when the batch axis is open, to bound the memory of large support or query sets.</summary>
    private const int MaxRunBatch = 128;

    private static readonly ReadOnlyCollection<string> NoClasses = Array.AsReadOnly(Array.Empty<string>());

    private readonly OnnxModel _embedding;

    // The embedding model's bytes as loaded, never modified: ExportAdapted parses them into the adapted model.
    private readonly byte[] _modelBytes;

    // Where the model file lies (for tensors kept in external data files); null for a model given as bytes.
    private readonly string? _modelFolder;

    private readonly string _modelDescription;

    // Replaced as a whole by Fit, never mutated, so a prediction that reads it once sees one consistent fit.
    private volatile Prototypes? _prototypes;
    private volatile bool _disposed;

    private FewShotClassifier(OnnxModel embedding, byte[] modelBytes, ModelSource source)
    {
        _embedding = embedding;
        _modelBytes = modelBytes;
        _modelFolder = source.FilePath is { } file ? Path.GetDirectoryName(file) : null;
        _modelDescription = source.Description;
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
    public IReadOnlyList<string> Classes => _prototypes?.ClassList ?? NoClasses;

    /// <summary>Number of classes of the last fit; 0 before the first fit.</summary>
    public int ClassCount => _prototypes?.Classes.Length ?? 0;

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
            return new FewShotClassifier(embedding, bytes, ModelSource.File(fullPath));
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
            return new FewShotClassifier(embedding, bytes, ModelSource.Bytes(bytes.Length));
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
        var classOf = new int[supportLabels.Length];
        var classIndex = new Dictionary<int, int>();
        var names = new List<string>();
        for (var i = 0; i < supportLabels.Length; i++)
        {
            var label = supportLabels[i];
            if (label < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(supportLabels), label,
                    $"Support label {i} is {label}; integer labels must be non-negative class ids (use the Fit overload that takes string labels for names).");
            }
            if (!classIndex.TryGetValue(label, out var index))
            {
                index = names.Count;
                classIndex.Add(label, index);
                names.Add(label.ToString(CultureInfo.InvariantCulture));
            }
            classOf[i] = index;
        }
        FitCore(supportSamples, classOf, names.ToArray());
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
        CheckSupport(supportSamples, supportLabels.Count);
        var classOf = new int[supportLabels.Count];
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        for (var i = 0; i < classOf.Length; i++)
        {
            var label = supportLabels[i]
                ?? throw new ArgumentException($"Support label {i} is null; every support sample needs a class name.", nameof(supportLabels));
            if (!classIndex.TryGetValue(label, out var index))
            {
                index = names.Count;
                classIndex.Add(label, index);
                names.Add(label);
            }
            classOf[i] = index;
        }
        FitCore(supportSamples, classOf, names.ToArray());
    }

    /// <summary>The prototypes of the last fit: <see cref="ClassCount"/> rows of <see cref="EmbeddingLength"/> values, in <see cref="Classes"/> order. A copy.</summary>
    /// <returns>The prototypes, row-major.</returns>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public float[] GetPrototypes() => (float[])RequireFitted("read prototypes").Values.Clone();

    /// <summary>Releases the embedding model's native session. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _embedding.Dispose();
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

    /// <summary>Embeds the support set and averages each class's embeddings, in double precision.</summary>
    private void FitCore(ReadOnlySpan<float> supportSamples, int[] classOf, string[] classes)
    {
        var count = classOf.Length;
        var length = EmbeddingLength;
        var embeddings = new float[(long)count * length];
        EmbedInto(supportSamples, count, embeddings);

        var sums = new double[(long)classes.Length * length];
        var counts = new int[classes.Length];
        for (var i = 0; i < count; i++)
        {
            var embedding = embeddings.AsSpan(i * length, length);
            var sum = sums.AsSpan(classOf[i] * length, length);
            for (var j = 0; j < length; j++)
            {
                if (!float.IsFinite(embedding[j]))
                {
                    throw new ArgumentException(
                        $"The embedding of support sample {i} (class '{classes[classOf[i]]}') has {embedding[j].ToString(CultureInfo.InvariantCulture)} " +
                        $"at position {j}, so no prototype can be computed from it; check that sample's values (NaN or infinity, or values far outside the training range).",
                        nameof(supportSamples));
                }
                sum[j] += embedding[j];
            }
            counts[classOf[i]]++;
        }

        var values = new float[sums.Length];
        for (var c = 0; c < classes.Length; c++)
        {
            for (var j = 0; j < length; j++)
            {
                values[c * length + j] = (float)(sums[c * length + j] / counts[c]);
            }
        }
        _prototypes = new Prototypes(classes, values, counts);
    }

    /// <summary>
    /// Runs the embedding over <paramref name="count"/> samples into <paramref name="embeddings"/>, in runs of at
    /// most <see cref="MaxRunBatch"/> samples, or of exactly the fixed batch size (zero-padding the last run) for a
    /// model exported with one.
    /// </summary>
    private void EmbedInto(ReadOnlySpan<float> samples, int count, Span<float> embeddings)
    {
        var inputLength = InputLength;
        var outputLength = EmbeddingLength;
        var fixedBatch = _embedding.FixedBatchSize;
        var runBatch = fixedBatch ?? MaxRunBatch;
        for (var start = 0; start < count; start += runBatch)
        {
            var n = Math.Min(runBatch, count - start);
            var input = samples.Slice(start * inputLength, n * inputLength);
            var output = embeddings.Slice(start * outputLength, n * outputLength);
            if (fixedBatch is null || n == runBatch)
            {
                _embedding.PredictBatch(input, n, output);
            }
            else
            {
                var paddedInput = new float[(long)runBatch * inputLength];
                var paddedOutput = new float[(long)runBatch * outputLength];
                input.CopyTo(paddedInput);
                _embedding.PredictBatch(paddedInput, runBatch, paddedOutput);
                paddedOutput.AsSpan(0, output.Length).CopyTo(output);
            }
        }
    }

    private Prototypes RequireFitted(string action)
    {
        ThrowIfDisposed();
        return _prototypes ?? throw new InvalidOperationException(
            $"The FewShotClassifier has no class prototypes yet, so it cannot {action}: call Fit with a labelled support set first.");
    }

    private string FormatInputShape() => ModelSignature.FormatShape(InputShape);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>One fit: class names and prototypes, immutable once made.</summary>
    private sealed class Prototypes
    {
        public Prototypes(string[] classes, float[] values, int[] supportCounts)
        {
            Classes = classes;
            ClassList = Array.AsReadOnly(classes);
            Values = values;
            SupportCounts = supportCounts;
        }

        public string[] Classes { get; }

        public ReadOnlyCollection<string> ClassList { get; }

        /// <summary>Class-major: <c>Classes.Length</c> rows of the embedding length.</summary>
        public float[] Values { get; }

        /// <summary>Number of support samples behind each prototype.</summary>
        public int[] SupportCounts { get; }
    }
}
