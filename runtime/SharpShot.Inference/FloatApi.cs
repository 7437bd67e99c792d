using Microsoft.ML.OnnxRuntime;

namespace SharpShot.Inference;

/// <summary>
/// What <see cref="OnnxModel"/>'s float API needs to know about a model, worked out once at load: the input and
/// output names and per-sample shapes, or why the model has another kind of signature.
/// </summary>
internal sealed record FloatApi(
    string? Obstacle, string InputName, string OutputName, int? FixedBatchSize, int[] InputShape, int[] OutputShape, int InputLength, int OutputLength)
{
    /// <exception cref="LimitExceededException">One sample, or the probe's batch, holds more than <paramref name="maxElements"/> values.</exception>
    /// <exception cref="OnnxModelLoadException">The SharpShot metadata contradicts the graph, or the probe run failed.</exception>
    public static FloatApi Resolve(
        InferenceSession session, RunOptions runOptions, IReadOnlyDictionary<string, string> metadata, ModelSource source, long maxElements)
    {
        try
        {
            var signature = ModelSignature.Resolve(session, metadata, source, maxElements);
            var inputLength = ModelSignature.CheckedLength(signature.InputShape, $"input '{signature.InputName}'", source, maxElements);
            var outputShape = signature.OutputShape ?? ProbeOutputShape(session, runOptions, signature, inputLength, source, maxElements);
            var outputLength = ModelSignature.CheckedLength(outputShape, $"output '{signature.OutputName}'", source, maxElements);
            return new FloatApi(null, signature.InputName, signature.OutputName, signature.FixedBatchSize, signature.InputShape, outputShape,
                inputLength, outputLength);
        }
        catch (FloatPathObstacle obstacle)
        {
            return new FloatApi(
                $"The float API cannot run {source.Description}: {obstacle.Message} Use OnnxModel.Run, which takes named tensors of any type.",
                string.Empty, string.Empty, null, [], [], 0, 0);
        }
    }

    /// <summary>
    /// Finds the per-sample output shape of a model that leaves some output axis open, by running one all-zero
    /// batch. Done once at load so every prediction can write into a pre-sized buffer; bounded by the element limit,
    /// so a model's declared sizes cannot make the host allocate without bound.
    /// </summary>
    private static int[] ProbeOutputShape(
        InferenceSession session, RunOptions runOptions, ModelSignature signature, int inputLength, ModelSource source, long maxElements)
    {
        var batch = signature.FixedBatchSize ?? 1;
        var elements = (long)batch * inputLength;
        if (elements > maxElements)
        {
            throw new LimitExceededException("OnnxModelOptions.MaxTensorElements", maxElements, elements,
                $"Probing the output shape of {source.Description} with a batch of {batch}", "elements");
        }
        var input = new float[elements];
        long[] shape = [batch, .. signature.InputShape.Select(d => (long)d)];
        try
        {
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
            using var results = session.Run(runOptions, [signature.InputName], [inputValue], [signature.OutputName]);
            var info = results[0].GetTensorTypeAndShape();
            var outputDims = info.Shape;
            if (outputDims.Length == 0 || outputDims[0] != batch || outputDims.Skip(1).Any(d => d <= 0))
            {
                throw new FloatPathObstacle(
                    $"its output '{signature.OutputName}' does not declare its shape, and for a batch of {batch} it came out as " +
                    $"[{string.Join(", ", outputDims)}], which has no batch axis of {batch} or an empty axis.");
            }
            if (info.ElementCount > maxElements || outputDims.Skip(1).Any(d => d > int.MaxValue))
            {
                throw new LimitExceededException("OnnxModelOptions.MaxTensorElements", maxElements, info.ElementCount,
                    $"The output '{signature.OutputName}' of {source.Description} for a batch of {batch}", "elements");
            }
            return outputDims.Skip(1).Select(d => (int)d).ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw source.Fail(
                $"its output '{signature.OutputName}' does not declare its shape, and running one all-zero sample of shape " +
                $"{ModelSignature.FormatShape(signature.InputShape)} to find it failed: {e.Message}", e);
        }
    }
}
