using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SharpShot.Inference;

/// <summary>
/// One thread's means of running the float fast path without managed allocations: pinned input and output
/// buffers wrapped once in OrtValues and bound once to an <see cref="OrtIoBinding"/>, so that a prediction is a
/// copy in, <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/> and a copy out. The values are
/// rebuilt only when the batch size changes; the buffers only grow.
/// </summary>
/// <remarks>
/// An IO binding is not safe to share between threads, hence one slot per thread. The copies cost far less than
/// the run (a 28 × 28 image is 3 KiB) and keep caller memory out of ONNX Runtime's hands between calls.
/// </remarks>
internal sealed class FloatRunSlot : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly long[] _inputShape;
    private readonly long[] _outputShape;
    private readonly int _inputLength;
    private readonly int _outputLength;
    private readonly OrtIoBinding _binding;
    private float[] _input = [];
    private float[] _output = [];
    private OrtValue? _inputValue;
    private OrtValue? _outputValue;
    private int _boundBatch;

    public FloatRunSlot(InferenceSession session, string inputName, int[] inputSampleShape, string outputName, int[] outputSampleShape)
    {
        _session = session;
        _inputName = inputName;
        _outputName = outputName;
        _inputShape = [0, .. inputSampleShape.Select(d => (long)d)];
        _outputShape = [0, .. outputSampleShape.Select(d => (long)d)];
        _inputLength = inputSampleShape.Aggregate(1, (a, d) => a * d);
        _outputLength = outputSampleShape.Aggregate(1, (a, d) => a * d);
        _binding = session.CreateIoBinding();
    }

    /// <summary>Runs <paramref name="batchSize"/> samples; the spans hold exactly that many samples' values.</summary>
    public void Run(RunOptions runOptions, ReadOnlySpan<float> input, int batchSize, Span<float> output)
    {
        if (batchSize != _boundBatch)
        {
            Bind(batchSize);
        }
        input.CopyTo(_input);
        _session.RunWithBinding(runOptions, _binding);
        _output.AsSpan(0, output.Length).CopyTo(output);
    }

    public void Dispose()
    {
        _inputValue?.Dispose();
        _outputValue?.Dispose();
        _binding.Dispose();
    }

    private unsafe void Bind(int batchSize)
    {
        var inputCount = checked(batchSize * _inputLength);
        var outputCount = checked(batchSize * _outputLength);
        if (_input.Length < inputCount)
        {
            // Pinned for good (the pinned object heap), so the native values may keep their addresses.
            _input = GC.AllocateUninitializedArray<float>(inputCount, pinned: true);
        }
        if (_output.Length < outputCount)
        {
            _output = GC.AllocateUninitializedArray<float>(outputCount, pinned: true);
        }
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        _inputValue?.Dispose();
        _outputValue?.Dispose();
        _inputValue = null;
        _outputValue = null;
        _boundBatch = 0;

        _inputShape[0] = batchSize;
        _outputShape[0] = batchSize;
        _inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, _inputShape,
            (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_input)), (long)inputCount * sizeof(float));
        _outputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, _outputShape,
            (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_output)), (long)outputCount * sizeof(float));
        _binding.BindInput(_inputName, _inputValue);
        _binding.BindOutput(_outputName, _outputValue);
        _boundBatch = batchSize;
    }
}
