using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>Why a model cannot use the float API (one float input, one float output); the general API still runs it.</summary>
internal sealed class FloatPathObstacle(string reason) : Exception(reason);

/// <summary>
/// The part of a model's signature <see cref="OnnxModel"/> relies on, worked out once at load from
/// ONNX Runtime's view of the graph and the SharpShot metadata: one float input and one float output,
/// each with the batch as the first axis, and the per-sample shapes behind it.
/// </summary>
internal sealed class ModelSignature
{
    /// <summary>ONNX Runtime's value for an axis that is symbolic or unknown.</summary>
    private const long DynamicAxis = -1;

    private ModelSignature(string inputName, int[] inputShape, int? fixedBatchSize, string outputName, int[]? outputShape)
    {
        InputName = inputName;
        InputShape = inputShape;
        FixedBatchSize = fixedBatchSize;
        OutputName = outputName;
        OutputShape = outputShape;
    }

    public string InputName { get; }

    /// <summary>One sample's input shape, without the batch axis; every axis known.</summary>
    public int[] InputShape { get; }

    /// <summary>The batch size the model was exported with, when its batch axis is fixed.</summary>
    public int? FixedBatchSize { get; }

    public string OutputName { get; }

    /// <summary>One sample's output shape without the batch axis, or <see langword="null"/> when the model leaves some axis open.</summary>
    public int[]? OutputShape { get; }

    /// <summary>Reads and checks the signature.</summary>
    /// <exception cref="FloatPathObstacle">The model has another kind of signature: the float API cannot run it (the general one can).</exception>
    /// <exception cref="OnnxModelLoadException">Its SharpShot metadata contradicts the graph.</exception>
    /// <exception cref="LimitExceededException">One sample holds more than <paramref name="maxElements"/> values.</exception>
    public static ModelSignature Resolve(InferenceSession session, IReadOnlyDictionary<string, string> metadata, ModelSource source, long maxElements)
    {
        var (inputName, input) = SingleValue(session.InputMetadata, "input");
        var (outputName, output) = SingleValue(session.OutputMetadata, "output");
        var inputDims = FloatTensorDims(inputName, input, "input");
        var outputDims = FloatTensorDims(outputName, output, "output");

        int? fixedBatch = inputDims[0] == DynamicAxis ? null : checked((int)inputDims[0]);
        if (fixedBatch == 0)
        {
            throw new FloatPathObstacle($"its input '{inputName}' has a batch axis fixed at 0.");
        }
        if (outputDims[0] != DynamicAxis && outputDims[0] != (fixedBatch ?? DynamicAxis))
        {
            throw new FloatPathObstacle(
                $"the first axis of output '{outputName}' {FormatAxes(output)} is not the batch axis of input '{inputName}' {FormatAxes(input)}: " +
                "the output must have one row per input sample.");
        }

        var inputShape = ResolveInputShape(inputName, input, inputDims, metadata, source, maxElements);
        var outputShape = outputDims.Skip(1).All(d => d > 0) ? outputDims.Skip(1).Select(d => checked((int)d)).ToArray() : null;
        if (outputShape is not null)
        {
            CheckedLength(outputShape, $"output '{outputName}'", source, maxElements);
        }
        return new ModelSignature(inputName, inputShape, fixedBatch, outputName, outputShape);
    }

    /// <summary>
    /// Number of values in one sample of the given shape, refused above <paramref name="maxElements"/> (a model's
    /// declared sizes must not decide what the host allocates).
    /// </summary>
    /// <exception cref="LimitExceededException">The sample holds more than <paramref name="maxElements"/> values.</exception>
    public static int CheckedLength(int[] shape, string what, ModelSource source, long maxElements)
    {
        long length = 1;
        foreach (var dim in shape)
        {
            // Each dimension fits an int, so the product stays exact until it passes the limit.
            length *= dim;
            if (length > maxElements || length > Array.MaxLength)
            {
                var total = shape.Aggregate(1.0, (a, d) => a * d);
                throw new LimitExceededException("OnnxModelOptions.MaxTensorElements", maxElements, total > long.MaxValue ? long.MaxValue : (long)total,
                    $"One sample of the {what} {FormatShape(shape)} of {source.Description}", "elements");
            }
        }
        return (int)length;
    }

    /// <summary>Reads <see cref="SharpShotMetadata.ClassLabels"/>: a JSON array of strings, one per output value.</summary>
    public static string[] ReadClassLabels(IReadOnlyDictionary<string, string> metadata, int outputLength, ModelSource source)
    {
        if (!metadata.TryGetValue(SharpShotMetadata.ClassLabels, out var json))
        {
            return [];
        }
        string[] labels;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw source.Fail($"its metadata '{SharpShotMetadata.ClassLabels}' is not a JSON array of strings: {Abbreviate(json)}");
            }
            labels = document.RootElement.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.String
                    ? e.GetString()!
                    : throw source.Fail($"its metadata '{SharpShotMetadata.ClassLabels}' holds a {e.ValueKind} where a label string belongs: {Abbreviate(json)}"))
                .ToArray();
        }
        catch (JsonException e)
        {
            throw source.Fail($"its metadata '{SharpShotMetadata.ClassLabels}' is not valid JSON ({e.Message}): {Abbreviate(json)}", e);
        }
        if (labels.Length != outputLength)
        {
            throw source.Fail(
                $"its metadata '{SharpShotMetadata.ClassLabels}' names {labels.Length} classes but each output has {outputLength} values.");
        }
        return labels;
    }

    /// <summary>Formats a per-sample shape as <c>[1, 28, 28]</c>.</summary>
    public static string FormatShape(IEnumerable<int> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static (string Name, NodeMetadata Metadata) SingleValue(
        IReadOnlyDictionary<string, NodeMetadata> values, string kind)
    {
        if (values.Count != 1)
        {
            var listed = values.Count == 0 ? "none" : string.Join(", ", values.Select(v => $"'{v.Key}' {FormatAxes(v.Value)}"));
            throw new FloatPathObstacle($"the float API (Predict, Classify) runs models with exactly one {kind}, and this one has {values.Count}: {listed}.");
        }
        var single = values.Single();
        return (single.Key, single.Value);
    }

    private static long[] FloatTensorDims(string name, NodeMetadata value, string kind)
    {
        if (!value.IsTensor || value.ElementDataType != TensorElementType.Float)
        {
            var what = value.IsTensor ? $"a tensor of {value.ElementDataType}" : $"not a tensor ({value.OnnxValueType})";
            throw new FloatPathObstacle($"its {kind} '{name}' is {what}; the float API needs a tensor of float.");
        }
        if (value.Dimensions.Length == 0)
        {
            throw new FloatPathObstacle($"its {kind} '{name}' is a scalar (or has no declared shape); the float API needs the batch as its first axis.");
        }
        return value.Dimensions.Select(d => d < 0 ? DynamicAxis : (long)d).ToArray();
    }

    private static int[] ResolveInputShape(
        string name, NodeMetadata input, long[] dims, IReadOnlyDictionary<string, string> metadata, ModelSource source, long maxElements)
    {
        var sampleDims = dims.Skip(1).ToArray();
        if (sampleDims.Any(d => d == 0))
        {
            throw new FloatPathObstacle($"its input '{name}' {FormatAxes(input)} has an axis of size 0.");
        }

        int[]? declared = null;
        if (metadata.TryGetValue(SharpShotMetadata.InputShape, out var text))
        {
            declared = ParseInputShape(text, source);
            var agrees = declared.Length == sampleDims.Length
                && declared.Zip(sampleDims).All(p => p.Second == DynamicAxis || p.First == p.Second);
            if (!agrees)
            {
                throw source.Fail(
                    $"its metadata '{SharpShotMetadata.InputShape}' = \"{text}\" does not match input '{name}' {FormatAxes(input)} (after the batch axis).");
            }
        }

        if (sampleDims.All(d => d > 0))
        {
            var shape = sampleDims.Select(d => checked((int)d)).ToArray();
            CheckedLength(shape, $"input '{name}'", source, maxElements);
            return shape;
        }
        if (declared is null)
        {
            throw new FloatPathObstacle(
                $"its input '{name}' {FormatAxes(input)} has open axes beyond the batch and no '{SharpShotMetadata.InputShape}' metadata to fix them; " +
                "export the model with a fixed sample shape or set that metadata (e.g. \"1,28,28\").");
        }
        CheckedLength(declared, $"input '{name}'", source, maxElements);
        return declared;
    }

    private static int[] ParseInputShape(string text, ModelSource source)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
            {
                throw source.Fail(
                    $"its metadata '{SharpShotMetadata.InputShape}' = \"{text}\" is not a comma-separated list of positive sizes such as \"1,28,28\".");
            }
        }
        return shape;
    }

    /// <summary>Formats ONNX Runtime's view of a value's axes as <c>[N, 1, 28, 28]</c>, with <c>?</c> for unnamed open axes.</summary>
    private static string FormatAxes(NodeMetadata value)
    {
        if (!value.IsTensor)
        {
            return $"({value.OnnxValueType})";
        }
        var symbols = value.SymbolicDimensions;
        var axes = value.Dimensions.Select((d, i) => d >= 0
            ? d.ToString(CultureInfo.InvariantCulture)
            : i < symbols.Length && !string.IsNullOrEmpty(symbols[i]) ? symbols[i] : "?");
        return "[" + string.Join(", ", axes) + "]";
    }

    private static string Abbreviate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
