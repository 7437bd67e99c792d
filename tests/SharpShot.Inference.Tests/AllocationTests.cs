using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SharpShot.Inference.Tests;

public class AllocationTests
{
    private const int Calls = 2000;

    [Fact]
    public void Span_predictions_allocate_nothing_beyond_onnx_runtimes_own_wrappers()
    {
        var bytes = TestModels.Conv();
        using var model = OnnxModel.Load(bytes);
        var sample = Reference.Random(model.InputLength, seed: 300);
        var output = new float[model.OutputLength];
        var baseline = BareOnnxRuntimeBytesPerCall(bytes, sample, output.Length);

        var predict = BytesPerCall(() => model.Predict(sample, output));
        var classify = BytesPerCall(() => model.Classify(sample));
        var batchOutput = new float[2 * model.OutputLength];
        var twoSamples = sample.Concat(sample).ToArray();
        var batch = BytesPerCall(() => model.PredictBatch(twoSamples, 2, batchOutput));

        // ONNX Runtime's own OrtValue objects and Run bookkeeping are the floor; OnnxModel must add nothing.
        Assert.True(predict <= baseline, $"Predict(span, span) allocated {predict} B per call; ONNX Runtime alone allocates {baseline} B.");
        Assert.True(classify <= baseline, $"Classify allocated {classify} B per call; ONNX Runtime alone allocates {baseline} B.");
        Assert.True(batch <= baseline, $"PredictBatch(span, n, span) allocated {batch} B per call; ONNX Runtime alone allocates {baseline} B.");
    }

    private static double BytesPerCall(Action call)
    {
        for (var i = 0; i < 100; i++)
        {
            call();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            call();
        }
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }

    /// <summary>The same run done directly with ONNX Runtime and every array prepared up front.</summary>
    private static unsafe double BareOnnxRuntimeBytesPerCall(byte[] modelBytes, float[] sample, int outputLength)
    {
        using var session = new InferenceSession(modelBytes);
        using var runOptions = new RunOptions();
        var output = new float[outputLength];
        long[] inputShape = [1, TestModels.ConvChannelsIn, TestModels.ConvSize, TestModels.ConvSize];
        long[] outputShape = [1, outputLength];
        string[] inputNames = [session.InputNames[0]];
        string[] outputNames = [session.OutputNames[0]];
        var inputs = new OrtValue[1];
        var outputs = new OrtValue[1];
        return BytesPerCall(() =>
        {
            fixed (float* inputPointer = sample)
            fixed (float* outputPointer = output)
            {
                using var input = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                    inputShape, (IntPtr)inputPointer, sample.Length * sizeof(float));
                using var result = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                    outputShape, (IntPtr)outputPointer, output.Length * sizeof(float));
                inputs[0] = input;
                outputs[0] = result;
                session.Run(runOptions, inputNames, inputs, outputNames, outputs);
            }
        });
    }
}
