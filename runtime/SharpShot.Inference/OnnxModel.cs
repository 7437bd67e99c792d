using System.Collections.ObjectModel;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// A SharpShot-exported (or any single-input, single-output float) ONNX model, run with ONNX Runtime.
/// Inputs are validated against the model's shape before they reach native code, and predictions write
/// into caller memory without managed allocations per call.
/// </summary>
/// <remarks>
/// Prediction methods may be called from many threads at once on one instance. <see cref="Dispose"/>
/// must not run while a prediction is in progress.
/// </remarks>
public sealed partial class OnnxModel : IDisposable
{
    private const string CudaProviderName = "CUDAExecutionProvider";

    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;

    // Name arrays passed to every Run; never mutated after construction, so safe to share between threads.
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private readonly int[] _inputShape;
    private readonly int[] _outputShape;
    private readonly ThreadLocal<RunBuffers> _runBuffers;
    private volatile bool _disposed;

    private OnnxModel(SessionOptions sessionOptions, InferenceSession session, ModelSource source)
    {
        _sessionOptions = sessionOptions;
        _session = session;
        _runOptions = new RunOptions();
        try
        {
            Metadata = new ReadOnlyDictionary<string, string>(
                new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal));
            var signature = ModelSignature.Resolve(session, Metadata, source);
            InputName = signature.InputName;
            OutputName = signature.OutputName;
            FixedBatchSize = signature.FixedBatchSize;
            _inputNames = [InputName];
            _outputNames = [OutputName];
            _inputShape = signature.InputShape;
            InputLength = ModelSignature.CheckedLength(_inputShape, $"input '{InputName}'", source);
            _outputShape = signature.OutputShape ?? ProbeOutputShape(source);
            OutputLength = ModelSignature.CheckedLength(_outputShape, $"output '{OutputName}'", source);

            InputShape = Array.AsReadOnly(_inputShape);
            OutputShape = Array.AsReadOnly(_outputShape);
            ClassLabels = Array.AsReadOnly(ModelSignature.ReadClassLabels(Metadata, OutputLength, source));
            OutputsProbabilities = Metadata.TryGetValue(SharpShotMetadata.Output, out var output) && output == "probabilities";
            _runBuffers = new ThreadLocal<RunBuffers>(() => new RunBuffers(_inputShape, _outputShape));
        }
        catch
        {
            _runOptions.Dispose();
            throw;
        }
    }

    /// <summary>Shape of one input sample, without the batch axis, e.g. <c>[1, 28, 28]</c>.</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Number of values in one input sample: the product of <see cref="InputShape"/>.</summary>
    public int InputLength { get; }

    /// <summary>Shape of the output for one sample, without the batch axis, e.g. <c>[10]</c>.</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Number of output values per sample: the product of <see cref="OutputShape"/>.</summary>
    public int OutputLength { get; }

    /// <summary>The batch size the model was exported with when its batch axis is fixed; <see langword="null"/> when any batch size works.</summary>
    public int? FixedBatchSize { get; }

    /// <summary>Class names in output order, from the model's <c>sharpshot.class_labels</c> metadata; empty when it has none.</summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Whether the output holds probabilities (the model ends in a softmax) rather than logits, per its <c>sharpshot.output</c> metadata.</summary>
    public bool OutputsProbabilities { get; }

    /// <summary>All of the model's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Name of the model's input.</summary>
    public string InputName { get; }

    /// <summary>Name of the model's output.</summary>
    public string OutputName { get; }

    /// <summary>Loads a model file.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="options">Session settings; <see langword="null"/> for ONNX Runtime's defaults on the CPU.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxModelLoadException">The file is not a model this class can run; the message says why.</exception>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model file '{fullPath}' was not found.", fullPath);
        }
        // The session reads the file itself so that tensors stored in external data files next to it are found.
        return Create(ModelSource.File(fullPath), so => new InferenceSession(fullPath, so), () => OnnxModelInfo.Read(fullPath), options);
    }

    /// <summary>Loads a model from its serialized bytes.</summary>
    /// <param name="model">The contents of an <c>.onnx</c> file.</param>
    /// <param name="options">Session settings; <see langword="null"/> for ONNX Runtime's defaults on the CPU.</param>
    /// <exception cref="OnnxModelLoadException">The bytes are not a model this class can run; the message says why.</exception>
    public static OnnxModel Load(byte[] model, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(ModelSource.Bytes(model.Length), so => new InferenceSession(model, so), () => OnnxModelInfo.Read(model), options);
    }

    /// <summary>Releases the native session. Predictions afterwards throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _session.Dispose();
        _runOptions.Dispose();
        _sessionOptions.Dispose();
        _runBuffers.Dispose();
    }

    private static OnnxModel Create(
        ModelSource source, Func<SessionOptions, InferenceSession> openSession, Action readWithOnnxReader, OnnxModelOptions? options)
    {
        var sessionOptions = CreateSessionOptions(options ?? new OnnxModelOptions(), source);
        InferenceSession? session = null;
        try
        {
            try
            {
                session = openSession(sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw ExplainRejection(source, e, readWithOnnxReader);
            }
            return new OnnxModel(sessionOptions, session, source);
        }
        catch
        {
            session?.Dispose();
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Turns ONNX Runtime's refusal into a load error. Our own reader tells "this is not an ONNX file at
    /// all" (a clearer message) apart from "an ONNX file ONNX Runtime cannot run" (ONNX Runtime's message).
    /// </summary>
    private static OnnxModelLoadException ExplainRejection(ModelSource source, OnnxRuntimeException ortError, Action readWithOnnxReader)
    {
        try
        {
            readWithOnnxReader();
        }
        catch (OnnxFormatException formatError)
        {
            // The reader's message already names the file or bytes.
            return source.FailWithMessage($"{formatError.Message} (ONNX Runtime: {ortError.Message})", formatError);
        }
        catch (IOException)
        {
            // The file changed or vanished since ONNX Runtime read it; ONNX Runtime's own message is what we have.
        }
        return source.Fail($"ONNX Runtime rejected it: {ortError.Message}", ortError);
    }

    private static SessionOptions CreateSessionOptions(OnnxModelOptions options, ModelSource source)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel switch
            {
                OnnxOptimizationLevel.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OnnxOptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OnnxOptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        try
        {
            if (options.IntraOpThreads is { } intraOp)
            {
                sessionOptions.IntraOpNumThreads = intraOp;
            }
            if (options.InterOpThreads is { } interOp)
            {
                sessionOptions.InterOpNumThreads = interOp;
                if (interOp > 1)
                {
                    sessionOptions.ExecutionMode = ExecutionMode.ORT_PARALLEL;
                }
            }
            if (options.UseCuda)
            {
                AppendCuda(sessionOptions, options.CudaDeviceId, source);
            }
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private static void AppendCuda(SessionOptions sessionOptions, int deviceId, ModelSource source)
    {
        // Checked first because a CPU-only build's own error ("not enabled in this build") does not say what to do.
        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(CudaProviderName))
        {
            throw source.Fail(
                $"CUDA was requested (UseCuda = true) but this ONNX Runtime build has no CUDA execution provider " +
                $"(available: {string.Join(", ", available)}). Reference the Microsoft.ML.OnnxRuntime.Gpu package instead of " +
                "Microsoft.ML.OnnxRuntime, or set UseCuda = false to run on the CPU.");
        }
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (OnnxRuntimeException e)
        {
            throw source.Fail(
                $"CUDA was requested (UseCuda = true, device {deviceId}) but ONNX Runtime could not start its CUDA execution provider: {e.Message} " +
                "Check that the CUDA and cuDNN libraries ONNX Runtime needs are installed and the device exists, or set UseCuda = false.", e);
        }
    }

    /// <summary>
    /// Finds the per-sample output shape of a model that leaves some output axis open, by running one
    /// all-zero batch. Done once at load so every prediction can write into a pre-sized buffer.
    /// </summary>
    private int[] ProbeOutputShape(ModelSource source)
    {
        var batch = FixedBatchSize ?? 1;
        var input = new float[checked(batch * InputLength)];
        long[] shape = [batch, .. _inputShape.Select(d => (long)d)];
        try
        {
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
            using var results = _session.Run(_runOptions, _inputNames, [inputValue], _outputNames);
            var outputDims = results[0].GetTensorTypeAndShape().Shape;
            if (outputDims.Length == 0 || outputDims[0] != batch || outputDims.Skip(1).Any(d => d <= 0))
            {
                throw source.Fail(
                    $"its output '{OutputName}' does not declare its shape, and for a batch of {batch} it came out as " +
                    $"[{string.Join(", ", outputDims)}], which has no batch axis of {batch} or an empty axis.");
            }
            return outputDims.Skip(1).Select(d => checked((int)d)).ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw source.Fail(
                $"its output '{OutputName}' does not declare its shape, and running one all-zero sample of shape " +
                $"{ModelSignature.FormatShape(_inputShape)} to find it failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// Per-thread scratch for <see cref="Run"/>: the full tensor shapes (batch axis first, set per call)
    /// and the one-element value arrays Run takes. Kept per thread so that concurrent predictions share
    /// nothing mutable and a prediction allocates no managed arrays.
    /// </summary>
    private sealed class RunBuffers
    {
        public RunBuffers(int[] inputSampleShape, int[] outputSampleShape)
        {
            InputShape = [0, .. inputSampleShape.Select(d => (long)d)];
            OutputShape = [0, .. outputSampleShape.Select(d => (long)d)];
        }

        public long[] InputShape { get; }

        public long[] OutputShape { get; }

        public OrtValue[] Inputs { get; } = new OrtValue[1];

        public OrtValue[] Outputs { get; } = new OrtValue[1];
    }
}
