using System.Text.Json;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// A MAML-family learner exported with its adaptation inside the graph (<c>MetaLearner.ExportAdaptiveOnnx</c>,
/// <c>adaptive.onnx</c> from <c>examples/FewShot</c>): <see cref="Fit(ReadOnlySpan{float}, IReadOnlyList{string})"/> keeps a
/// labelled support set, and each prediction runs the graph — the inner loop's gradient steps on the support set, then the
/// queries through the adapted network — in ONNX Runtime, with no TorchSharp.
/// </summary>
/// <remarks>
/// The graph's head has as many outputs as the learner was trained for (<see cref="Ways"/>), so a support set names exactly
/// that many classes. Batch normalization uses the statistics of the queries given together, as the learner does: classify
/// a task's queries in one call. Fit must not run while predictions do; predictions may run on many threads.
/// </remarks>
public sealed class AdaptiveClassifier : IDisposable
{
    private const string SupportX = "support_x", SupportY = "support_y", QueryX = "query_x", QueryLogits = "query_logits";

    private readonly OnnxModel _model;
    private readonly Imaging.ImageLimits _imageLimits;
    private readonly long[] _sampleShape;
    private volatile SupportSet? _support;

    private AdaptiveClassifier(OnnxModel model, Imaging.ImageLimits imageLimits, string source)
    {
        _model = model;
        _imageLimits = imageLimits;
        OnnxValueInfo? input = model.Inputs.FirstOrDefault(i => i.Name == SupportX);
        if (input is null || model.Inputs.All(i => i.Name != SupportY) || model.Inputs.All(i => i.Name != QueryX) || model.Outputs.All(o => o.Name != QueryLogits)
            || input.Shape.Skip(1).Any(d => d.Value is null))
        {
            throw new OnnxModelLoadException(
                $"{source} is not an adaptive classifier: it needs inputs '{SupportX}', '{SupportY}' and '{QueryX}' (fixed sample axes) and the output '{QueryLogits}', " +
                $"as MetaLearner.ExportAdaptiveOnnx writes them; it has inputs {string.Join(", ", model.Inputs.Select(i => $"'{i.Name}'"))} and outputs {string.Join(", ", model.Outputs.Select(o => $"'{o.Name}'"))}.");
        }

        _sampleShape = [.. input.Shape.Skip(1).Select(d => d.Value!.Value)];
        // The contract describes support_x and query_x alike (the model has no single input for OnnxModel to read it for).
        ImageInput = ImageInputContract.FromMetadata(model.Metadata);
        InputLength = checked((int)_sampleShape.Aggregate(1L, (a, b) => a * b));
        Ways = checked((int)(model.Outputs.First(o => o.Name == QueryLogits).Shape.LastOrDefault().Value ?? 0));
        using (JsonDocument adaptation = JsonDocument.Parse(model.Metadata.GetValueOrDefault(SharpShotMetadata.Adaptation, "{}")))
        {
            InnerSteps = adaptation.RootElement.TryGetProperty("steps", out JsonElement steps) ? steps.GetInt32() : null;
            Algorithm = adaptation.RootElement.TryGetProperty("algorithm", out JsonElement algorithm) ? algorithm.GetString() : null;
        }
    }

    /// <summary>Number of classes a support set names: the head's outputs.</summary>
    public int Ways { get; }

    /// <summary>Values in one sample (the product of the sample's shape).</summary>
    public int InputLength { get; }

    /// <summary>Inner steps baked into the graph, from its metadata; null when it does not say.</summary>
    public int? InnerSteps { get; }

    /// <summary>The meta-learning algorithm that trained it (e.g. <c>Maml</c>), from its metadata; null when it does not say.</summary>
    public string? Algorithm { get; }

    /// <summary>The image input contract of <c>support_x</c> and <c>query_x</c> (raw pixels for SharpShot's image models); null for other inputs.</summary>
    public ImageInputContract? ImageInput { get; }

    /// <summary>The classes of the support set, in order of first appearance: the columns of the probabilities.</summary>
    public IReadOnlyList<string> Classes => _support?.Classes ?? [];

    /// <summary>Loads an adaptive model file.</summary>
    /// <exception cref="OnnxModelLoadException">Not a model ONNX Runtime can run, or not an adaptive classifier; the message says why.</exception>
    public static AdaptiveClassifier Load(string path, OnnxModelOptions? options = null)
    {
        OnnxModel model = OnnxModel.Load(path, options);
        try
        {
            return new AdaptiveClassifier(model, (options ?? new OnnxModelOptions()).ImageLimits, $"'{Path.GetFullPath(path)}'");
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Keeps a labelled support set for the predictions: <see cref="Ways"/> classes, named in order of first appearance.</summary>
    /// <param name="samples">The support samples, <see cref="InputLength"/> values each (raw pixels for an image model), one after another.</param>
    /// <param name="labels">One class name per sample.</param>
    /// <exception cref="ArgumentException">No samples, sizes that differ, or not exactly <see cref="Ways"/> classes.</exception>
    public void Fit(ReadOnlySpan<float> samples, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0 || samples.Length != (long)labels.Count * InputLength)
        {
            throw new ArgumentException($"Expected one or more samples of {InputLength} values with one label each; got {samples.Length} values and {labels.Count} labels.", nameof(samples));
        }

        var classes = new List<string>();
        long[] indices = [.. PrototypeSet.ClassIndices(labels, classes).Select(c => (long)c)];
        if (classes.Count != Ways)
        {
            throw new ArgumentException($"The support set names {classes.Count} classes ({string.Join(", ", classes)}); this learner adapts to exactly {Ways}.", nameof(labels));
        }

        _support = new SupportSet(classes, OnnxTensor.Create(samples.ToArray(), [labels.Count, .. _sampleShape]), OnnxTensor.Create(indices, labels.Count));
    }

    /// <summary>Keeps the images of a folder of class sub-folders as the support set (see <see cref="FewShotClassifier.ListImageFolder"/>).</summary>
    /// <returns>The number of support images read.</returns>
    public int FitImageFolder(string root)
    {
        var (paths, labels) = FewShotClassifier.ListImageFolder(root);
        Fit(ImageInputs.FromFiles(RequireImageInput(), paths, _imageLimits), labels);
        return paths.Count;
    }

    /// <summary>A sample for an image file, as the contract says (decoded, converted, resized, raw pixel values).</summary>
    /// <exception cref="InvalidOperationException">The model does not describe an image input.</exception>
    public float[] ImageToInput(string path) => ImageInputs.FromFile(RequireImageInput(), path, _imageLimits);

    private ImageInputContract RequireImageInput() => ImageInputs.Require(ImageInput, "the adaptive model");

    /// <summary>
    /// Adapts to the support set and classifies the queries, all inside the graph: one row of <see cref="Ways"/> class
    /// probabilities (softmax of the adapted logits) per query, columns in <see cref="Classes"/> order.
    /// </summary>
    /// <param name="querySamples">One or more queries of <see cref="InputLength"/> values, one after another; classify a task's queries together.</param>
    /// <exception cref="InvalidOperationException">No support set yet.</exception>
    /// <exception cref="ArgumentException">Not a whole, non-zero number of samples.</exception>
    public float[] PredictProbabilities(ReadOnlySpan<float> querySamples)
    {
        SupportSet support = _support ?? throw new InvalidOperationException("The adaptive classifier has no support set yet: call Fit first.");
        if (querySamples.IsEmpty || querySamples.Length % InputLength != 0)
        {
            throw new ArgumentException($"Expected one or more queries of {InputLength} values; got {querySamples.Length} values.", nameof(querySamples));
        }

        int count = querySamples.Length / InputLength;
        IReadOnlyDictionary<string, OnnxTensor> outputs = _model.Run(new Dictionary<string, OnnxTensor>
        {
            [SupportX] = support.Samples,
            [SupportY] = support.Labels,
            [QueryX] = OnnxTensor.Create(querySamples.ToArray(), [count, .. _sampleShape]),
        }, [QueryLogits]);
        float[] logits = outputs[QueryLogits].GetData<float>();
        var probabilities = new float[logits.Length];
        for (int q = 0; q < count; q++)
        {
            OnnxModel.Softmax(logits.AsSpan(q * Ways, Ways), probabilities.AsSpan(q * Ways, Ways));
        }

        return probabilities;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _model.Dispose();

    private sealed record SupportSet(IReadOnlyList<string> Classes, OnnxTensor Samples, OnnxTensor Labels);
}
