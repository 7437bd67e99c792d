using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SharpShot.Inference;

public sealed partial class OnnxModel
{
    // Classify keeps outputs up to this many values on the stack (1 KiB); larger ones use a pooled array.
    private const int StackOutputLimit = 256;

    /// <summary>Runs the model on one sample.</summary>
    /// <param name="sample"><see cref="InputLength"/> values in row-major <see cref="InputShape"/> order.</param>
    /// <returns><see cref="OutputLength"/> values: probabilities or logits, see <see cref="OutputsProbabilities"/>.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="sample"/> does not hold <see cref="InputLength"/> values.</exception>
    /// <exception cref="InvalidOperationException">The model's batch axis is fixed at a size other than 1.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public float[] Predict(ReadOnlySpan<float> sample)
    {
        var output = new float[OutputLength];
        Predict(sample, output);
        return output;
    }

    /// <summary>Runs the model on one sample, writing into caller memory (no managed allocation).</summary>
    /// <param name="sample"><see cref="InputLength"/> values in row-major <see cref="InputShape"/> order.</param>
    /// <param name="output">Receives the <see cref="OutputLength"/> output values in its first elements; may be longer.</param>
    /// <exception cref="ShapeMismatchException"><paramref name="sample"/> does not hold <see cref="InputLength"/> values, or <paramref name="output"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">The model's batch axis is fixed at a size other than 1.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void Predict(ReadOnlySpan<float> sample, Span<float> output)
    {
        ThrowIfDisposedOrNoFloatApi();
        CheckSample(sample, nameof(sample));
        CheckSingleSampleBatch();
        if (output.Length < OutputLength)
        {
            throw new ShapeMismatchException(nameof(output),
                $"The output span holds {output.Length} values; one sample needs {OutputLength} (output shape {ModelSignature.FormatShape(_outputShape)}).",
                OutputLength, output.Length);
        }
        RunFloat(sample, batchSize: 1, output[..OutputLength]);
    }

    /// <summary>
    /// One sample's output as class probabilities: the output itself when the model ends in a softmax
    /// (<see cref="OutputsProbabilities"/>), else the softmax of its logits (in double, shifted by the largest).
    /// </summary>
    /// <param name="output">One sample's <see cref="OutputLength"/> output values.</param>
    /// <returns>A new array of the same length.</returns>
    public float[] ToProbabilities(ReadOnlySpan<float> output)
    {
        if (OutputsProbabilities || output.IsEmpty)
        {
            return output.ToArray();
        }

        var probabilities = new float[output.Length];
        Softmax(output, probabilities);
        return probabilities;
    }

    /// <summary>The softmax of <paramref name="output"/> into <paramref name="probabilities"/>, shifted by the largest value so that exp never overflows.</summary>
    internal static void Softmax(ReadOnlySpan<float> output, Span<float> probabilities)
    {
        double max = double.NegativeInfinity;
        foreach (float value in output)
        {
            max = Math.Max(max, value);
        }

        double total = 0;
        foreach (float value in output)
        {
            total += Math.Exp(value - max);
        }

        for (int i = 0; i < output.Length; i++)
        {
            probabilities[i] = (float)(Math.Exp(output[i] - max) / total);
        }
    }

    /// <summary>Runs the model on a batch of samples in one call.</summary>
    /// <param name="samples"><paramref name="batchSize"/> samples of <see cref="InputLength"/> values each, one after another.</param>
    /// <param name="batchSize">Number of samples; at least 1.</param>
    /// <returns><paramref name="batchSize"/> × <see cref="OutputLength"/> values, sample after sample.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="samples"/> does not hold <paramref name="batchSize"/> × <see cref="InputLength"/> values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1, or differs from a fixed batch size.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public float[] PredictBatch(ReadOnlySpan<float> samples, int batchSize)
    {
        ThrowIfDisposedOrNoFloatApi();
        CheckBatch(samples, batchSize);
        var outputs = new float[(long)batchSize * OutputLength];
        RunFloat(samples, batchSize, outputs);
        return outputs;
    }

    /// <summary>Most samples <see cref="PredictMany"/> sends to ONNX Runtime in one run when the batch axis is open, to bound the memory of large sets.</summary>
    public const int MaxRunBatch = 128;

    /// <summary>
    /// Runs the model on any number of samples, writing into caller memory: in runs of at most <see cref="MaxRunBatch"/>
    /// samples, or of exactly the fixed batch size (zero-padding the last run) for a model exported with one.
    /// </summary>
    /// <param name="samples"><paramref name="count"/> samples of <see cref="InputLength"/> values each, one after another.</param>
    /// <param name="count">Number of samples; 0 runs nothing.</param>
    /// <param name="outputs">Receives <paramref name="count"/> × <see cref="OutputLength"/> values in its first elements.</param>
    /// <exception cref="ShapeMismatchException">A span does not match <paramref name="count"/> and the model's shapes.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void PredictMany(ReadOnlySpan<float> samples, int count, Span<float> outputs)
    {
        ThrowIfDisposedOrNoFloatApi();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var inputLength = InputLength;
        var outputLength = OutputLength;
        if (samples.Length != (long)count * inputLength)
        {
            throw new ShapeMismatchException(nameof(samples),
                $"Expected {count} x {inputLength} = {(long)count * inputLength} values, got {samples.Length}.", (long)count * inputLength, samples.Length);
        }
        if (outputs.Length < (long)count * outputLength)
        {
            throw new ShapeMismatchException(nameof(outputs),
                $"The output span holds {outputs.Length} values; {count} samples need {count} x {outputLength} = {(long)count * outputLength}.", (long)count * outputLength, outputs.Length);
        }

        var fixedBatch = FixedBatchSize;
        var runBatch = fixedBatch ?? MaxRunBatch;
        for (var start = 0; start < count; start += runBatch)
        {
            var n = Math.Min(runBatch, count - start);
            var input = samples.Slice(start * inputLength, n * inputLength);
            var output = outputs.Slice(start * outputLength, n * outputLength);
            if (fixedBatch is null || n == runBatch)
            {
                PredictBatch(input, n, output);
            }
            else
            {
                var paddedInput = new float[(long)runBatch * inputLength];
                var paddedOutput = new float[(long)runBatch * outputLength];
                input.CopyTo(paddedInput);
                PredictBatch(paddedInput, runBatch, paddedOutput);
                paddedOutput.AsSpan(0, output.Length).CopyTo(output);
            }
        }
    }

    /// <summary>Runs the model on a batch of samples, writing into caller memory (no managed allocation).</summary>
    /// <param name="samples"><paramref name="batchSize"/> samples of <see cref="InputLength"/> values each, one after another.</param>
    /// <param name="batchSize">Number of samples; at least 1.</param>
    /// <param name="outputs">Receives <paramref name="batchSize"/> × <see cref="OutputLength"/> values in its first elements; may be longer.</param>
    /// <exception cref="ShapeMismatchException">A span does not match <paramref name="batchSize"/> and the model's shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1, or differs from a fixed batch size.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void PredictBatch(ReadOnlySpan<float> samples, int batchSize, Span<float> outputs)
    {
        ThrowIfDisposedOrNoFloatApi();
        CheckBatch(samples, batchSize);
        var needed = (long)batchSize * OutputLength;
        if (outputs.Length < needed)
        {
            throw new ShapeMismatchException(nameof(outputs),
                $"The output span holds {outputs.Length} values; a batch of {batchSize} needs {batchSize} x {OutputLength} = {needed}.",
                needed, outputs.Length);
        }
        RunFloat(samples, batchSize, outputs[..(int)needed]);
    }

    /// <summary>Runs the model on one sample and returns the index of its largest output (the predicted class).</summary>
    /// <param name="sample"><see cref="InputLength"/> values in row-major <see cref="InputShape"/> order.</param>
    /// <returns>The index of the largest output value; the first one on ties. Use it with <see cref="ClassLabels"/> for a name.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="sample"/> does not hold <see cref="InputLength"/> values.</exception>
    /// <exception cref="InvalidOperationException">The model's batch axis is fixed at a size other than 1.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public int Classify(ReadOnlySpan<float> sample)
    {
        float[]? rented = null;
        var output = OutputLength <= StackOutputLimit
            ? stackalloc float[StackOutputLimit]
            : (rented = ArrayPool<float>.Shared.Rent(OutputLength));
        try
        {
            Predict(sample, output);
            return ArgMax(output[..OutputLength]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Runs the model on a batch and returns each sample's predicted class.</summary>
    /// <param name="samples"><paramref name="batchSize"/> samples of <see cref="InputLength"/> values each, one after another.</param>
    /// <param name="batchSize">Number of samples; at least 1.</param>
    /// <returns>For each sample, the index of its largest output value (the first one on ties).</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="samples"/> does not hold <paramref name="batchSize"/> × <see cref="InputLength"/> values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1, or differs from a fixed batch size.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public int[] ClassifyBatch(ReadOnlySpan<float> samples, int batchSize)
    {
        ThrowIfDisposedOrNoFloatApi();
        CheckBatch(samples, batchSize);
        var length = checked(batchSize * OutputLength);
        var outputs = ArrayPool<float>.Shared.Rent(length);
        try
        {
            RunFloat(samples, batchSize, outputs.AsSpan(0, length));
            var classes = new int[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                classes[i] = ArgMax(outputs.AsSpan(i * OutputLength, OutputLength));
            }
            return classes;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(outputs);
        }
    }

    /// <summary>
    /// Runs the float fast path on this thread's IO binding: the input is copied into pinned memory bound once, the
    /// output read back from the same. No managed allocation in steady state (the same batch size as last time).
    /// </summary>
    private void RunFloat(ReadOnlySpan<float> input, int batchSize, Span<float> output)
    {
        var elements = Math.Max(input.Length, output.Length);
        if (elements > _limits.MaxTensorElements)
        {
            throw new LimitExceededException("OnnxModelOptions.MaxTensorElements", _limits.MaxTensorElements, elements,
                $"A batch of {batchSize}", "elements");
        }
        _gate.Enter(this);
        try
        {
            var slot = _runSlots!.Value!;
            try
            {
                slot.Run(_runOptions, input, batchSize, output);
            }
            catch (OnnxRuntimeException e) when (_gate.IsClosed)
            {
                throw new ObjectDisposedException($"{GetType().FullName}: the model was disposed while the call ran.", e);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void CheckSample(ReadOnlySpan<float> sample, string paramName)
    {
        if (sample.Length != InputLength)
        {
            throw new ShapeMismatchException(paramName,
                $"Expected {InputLength} values per sample (shape {ModelSignature.FormatShape(_inputShape)}), got {sample.Length}.",
                InputLength, sample.Length);
        }
    }

    private void CheckSingleSampleBatch()
    {
        if (FixedBatchSize is { } fixedBatch and not 1)
        {
            throw new InvalidOperationException(
                $"The model was exported with a fixed batch size of {fixedBatch}, so it cannot run one sample; call PredictBatch with batchSize {fixedBatch}.");
        }
    }

    private void CheckBatch(ReadOnlySpan<float> samples, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (FixedBatchSize is { } fixedBatch && batchSize != fixedBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                $"The model was exported with a fixed batch size of {fixedBatch}; got a batch of {batchSize}.");
        }
        var expected = (long)batchSize * InputLength;
        if (samples.Length != expected)
        {
            throw new ShapeMismatchException(nameof(samples),
                $"Expected {batchSize} x {InputLength} = {expected} values for a batch of {batchSize}, got {samples.Length}.",
                expected, samples.Length);
        }
    }

    /// <summary>Checked first by every float API member: disposed, then the model's kind of signature.</summary>
    private void ThrowIfDisposedOrNoFloatApi()
    {
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
        if (_floatApiObstacle is not null)
        {
            throw new InvalidOperationException(_floatApiObstacle);
        }
    }

    /// <summary>Index of the largest value, the first on ties; NaN never wins (an all-NaN span gives 0).</summary>
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > bestValue)
            {
                best = i;
                bestValue = values[i];
            }
        }
        return best;
    }
}
