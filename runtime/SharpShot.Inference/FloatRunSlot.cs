using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SharpShot.Inference;

/// <summary>
/// One thread's means of running the float fast path without managed allocations: for each recently used batch
/// size, pinned input and output buffers wrapped once in OrtValues and bound once to an <see cref="OrtIoBinding"/>,
/// so that a prediction is a copy in, <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/> and a
/// copy out. A few batch sizes stay bound at once (a few-shot fit embeds the support set, then one query; dynamic
/// batching varies the size), so switching among them allocates nothing; the least recently used is let go beyond that.
/// </summary>
/// <remarks>
/// An IO binding is not safe to share between threads, hence one slot per thread. The copies cost far less than
/// the run (a 28 × 28 image is 3 KiB) and keep caller memory out of ONNX Runtime's hands between calls.
/// </remarks>
internal sealed class FloatRunSlot : IDisposable
{
    /// <summary>How many batch sizes stay bound at once.</summary>
    internal const int BoundBatchSizes = 4;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly int[] _inputSampleShape;
    private readonly int[] _outputSampleShape;
    private readonly int _inputLength;
    private readonly int _outputLength;
    private readonly Bound?[] _bound = new Bound?[BoundBatchSizes];
    private long _clock;

    public FloatRunSlot(InferenceSession session, string inputName, int[] inputSampleShape, string outputName, int[] outputSampleShape)
    {
        _session = session;
        _inputName = inputName;
        _outputName = outputName;
        _inputSampleShape = inputSampleShape;
        _outputSampleShape = outputSampleShape;
        _inputLength = inputSampleShape.Aggregate(1, (a, d) => a * d);
        _outputLength = outputSampleShape.Aggregate(1, (a, d) => a * d);
    }

    /// <summary>Runs <paramref name="batchSize"/> samples; the spans hold exactly that many samples' values.</summary>
    public void Run(RunOptions runOptions, ReadOnlySpan<float> input, int batchSize, Span<float> output)
    {
        Bound bound = Find(batchSize);
        bound.LastUsed = ++_clock;
        input.CopyTo(bound.Input);
        _session.RunWithBinding(runOptions, bound.Binding);
        bound.Output.AsSpan(0, output.Length).CopyTo(output);
    }

    public void Dispose()
    {
        foreach (Bound? bound in _bound)
        {
            bound?.Dispose();
        }
    }

    private Bound Find(int batchSize)
    {
        int free = -1, oldest = 0;
        for (int i = 0; i < _bound.Length; i++)
        {
            Bound? bound = _bound[i];
            if (bound is null)
            {
                free = free < 0 ? i : free;
                continue;
            }

            if (bound.BatchSize == batchSize)
            {
                return bound;
            }

            if (_bound[oldest] is { } current && bound.LastUsed < current.LastUsed)
            {
                oldest = i;
            }
        }

        int slot = free >= 0 ? free : oldest;
        _bound[slot]?.Dispose();
        _bound[slot] = null;
        _bound[slot] = new Bound(this, batchSize);
        return _bound[slot]!;
    }

    /// <summary>One batch size's pinned buffers, their OrtValues and the binding over them.</summary>
    private sealed class Bound : IDisposable
    {
        private readonly OrtValue _inputValue;
        private readonly OrtValue _outputValue;

        public unsafe Bound(FloatRunSlot slot, int batchSize)
        {
            BatchSize = batchSize;
            int inputCount = checked(batchSize * slot._inputLength);
            int outputCount = checked(batchSize * slot._outputLength);
            // Pinned for good (the pinned object heap), so the native values keep their addresses.
            Input = GC.AllocateUninitializedArray<float>(inputCount, pinned: true);
            Output = GC.AllocateUninitializedArray<float>(outputCount, pinned: true);
            long[] inputShape = [batchSize, .. slot._inputSampleShape.Select(d => (long)d)];
            long[] outputShape = [batchSize, .. slot._outputSampleShape.Select(d => (long)d)];
            _inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, inputShape,
                (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Input)), (long)inputCount * sizeof(float));
            _outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, outputShape,
                (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Output)), (long)outputCount * sizeof(float));
            Binding = slot._session.CreateIoBinding();
            Binding.BindInput(slot._inputName, _inputValue);
            Binding.BindOutput(slot._outputName, _outputValue);
        }

        public int BatchSize { get; }

        public float[] Input { get; }

        public float[] Output { get; }

        public OrtIoBinding Binding { get; }

        public long LastUsed { get; set; }

        public void Dispose()
        {
            Binding.Dispose();
            _inputValue.Dispose();
            _outputValue.Dispose();
        }
    }
}
