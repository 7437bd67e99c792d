using System.Collections.ObjectModel;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// An ONNX model run with ONNX Runtime: any valid model through the general tensor API (<see cref="Run"/>), and
/// SharpShot-exported (or any one-float-input, one-float-output) models through the float API (<see cref="Predict(ReadOnlySpan{float}, Span{float})"/>,
/// <see cref="Classify(ReadOnlySpan{float})"/>), which checks inputs before they reach native code and allocates nothing per call.
/// </summary>
/// <remarks>
/// All prediction methods may be called from many threads at once on one instance. <see cref="Dispose"/> may run
/// while they do: calls in flight are stopped and end with <see cref="ObjectDisposedException"/>, and the native
/// session is released only after the last one has left.
/// </remarks>
public sealed partial class OnnxModel : IDisposable
{
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly CallGate _gate = new();
    private readonly OnnxModelOptions _limits;
    private readonly string[] _allOutputNames;

    // The float API's signature; empty shapes and a reason when the model has another kind of signature.
    private readonly int[] _inputShape = [];
    private readonly int[] _outputShape = [];
    private readonly string? _floatApiObstacle;
    private readonly ThreadLocal<FloatRunSlot>? _runSlots;

    private OnnxModel(SessionOptions sessionOptions, InferenceSession session, ModelSource source, OnnxModelOptions options, ProviderChoice provider)
    {
        _sessionOptions = sessionOptions;
        _session = session;
        _limits = options;
        ExecutionProvider = provider.Active;
        ExecutionProviderNote = provider.Note;
        _runOptions = new RunOptions();
        try
        {
            Metadata = new ReadOnlyDictionary<string, string>(ReadMetadata(session, source));
            Inputs = Array.AsReadOnly(session.InputMetadata.Select(v => ToValueInfo(v.Key, v.Value)).ToArray());
            Outputs = Array.AsReadOnly(session.OutputMetadata.Select(v => ToValueInfo(v.Key, v.Value)).ToArray());
            _allOutputNames = Outputs.Select(o => o.Name).ToArray();
            var floatApi = FloatApi.Resolve(session, _runOptions, Metadata, source, options.MaxTensorElements);
            _floatApiObstacle = floatApi.Obstacle;
            InputName = floatApi.InputName;
            OutputName = floatApi.OutputName;
            FixedBatchSize = floatApi.FixedBatchSize;
            _inputShape = floatApi.InputShape;
            _outputShape = floatApi.OutputShape;
            InputLength = floatApi.InputLength;
            OutputLength = floatApi.OutputLength;
            if (floatApi.Obstacle is null)
            {
                _runSlots = new ThreadLocal<FloatRunSlot>(
                    () => new FloatRunSlot(_session, InputName, _inputShape, OutputName, _outputShape), trackAllValues: true);
            }
            InputShape = Array.AsReadOnly(_inputShape);
            OutputShape = Array.AsReadOnly(_outputShape);
            ClassLabels = Array.AsReadOnly(floatApi.Obstacle is null ? ModelSignature.ReadClassLabels(Metadata, OutputLength, source) : []);
            OutputsProbabilities = Metadata.TryGetValue(SharpShotMetadata.Output, out var output) && output == "probabilities";
            ImageInput = floatApi.Obstacle is null ? ReadImageInput(options.ImageInput, Metadata, _inputShape, source) : null;
        }
        catch
        {
            _runOptions.Dispose();
            throw;
        }
    }

    /// <summary>The provider the model runs on: <see cref="OnnxExecutionProvider.Cpu"/> or <see cref="OnnxExecutionProvider.Cuda"/>, never <see cref="OnnxExecutionProvider.BestAvailable"/>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>Why <see cref="OnnxExecutionProvider.BestAvailable"/> fell back to the CPU; <see langword="null"/> when nothing fell back.</summary>
    public string? ExecutionProviderNote { get; }

    /// <summary>
    /// Whether the float API (<see cref="Predict(ReadOnlySpan{float})"/>, <see cref="Classify(ReadOnlySpan{float})"/> and their batch forms) can run the
    /// model: one float input whose first axis is the batch and one float output. <see cref="Run"/> runs every model.
    /// </summary>
    public bool SupportsFloatApi => _floatApiObstacle is null;

    /// <summary>Why the float API cannot run the model; <see langword="null"/> when it can.</summary>
    internal string? FloatApiObstacle => _floatApiObstacle;

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

    /// <summary>
    /// What the float API's input means when it is an image (<see cref="SharpShotMetadata.InputImage"/>, or the older
    /// input shape and scale entries); <see langword="null"/> for other models. When
    /// <see cref="ImageInputContract.NormalizedInGraph"/> is true the float API takes raw pixel values (0 to 255) and the
    /// graph scales them; otherwise it takes the scaled values the model was trained on.
    /// </summary>
    public ImageInputContract? ImageInput { get; }

    /// <summary>All of the model's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Name of the float API's input; empty when <see cref="SupportsFloatApi"/> is false (see <see cref="Inputs"/>).</summary>
    public string InputName { get; }

    /// <summary>Name of the float API's output; empty when <see cref="SupportsFloatApi"/> is false (see <see cref="Outputs"/>).</summary>
    public string OutputName { get; }

    private static Dictionary<string, string> ReadMetadata(InferenceSession session, ModelSource source)
    {
        try
        {
            return new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
        }
        catch (NullReferenceException e)
        {
            // ONNX Runtime's managed wrapper fails this way when the session hands it a null metadata string (found by
            // fuzzing: tests/Fuzz/crashers/onnx/); the model is malformed, so it is a load error like any other.
            throw source.Fail("ONNX Runtime could not read its metadata (producer, graph name, domain, description or metadata_props): a string is missing.", e);
        }
    }

    private static ImageInputContract? ReadImageInput(ImageInputContract? given, IReadOnlyDictionary<string, string> metadata, int[] inputShape, ModelSource source)
    {
        ImageInputContract? contract;
        try
        {
            contract = given ?? ImageInputContract.FromMetadata(metadata);
        }
        catch (OnnxFormatException e)
        {
            throw source.Fail(e.Message, e);
        }

        if (contract is not null && !inputShape.SequenceEqual([contract.Channels, contract.Height, contract.Width]))
        {
            throw source.Fail(
                $"{(given is null ? "Its metadata describes" : "OnnxModelOptions.ImageInput describes")} a {contract.Channels} x {contract.Height} x {contract.Width} image input, but its input takes [{string.Join(", ", inputShape)}] per sample.");
        }

        return contract;
    }

    /// <summary>Loads a model file.</summary>
    /// <param name="path">The <c>.onnx</c> file. Tensors kept in external data files are read only from inside its folder.</param>
    /// <param name="options">Session settings and limits; <see langword="null"/> for the defaults (CPU).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="LimitExceededException">The file is larger than <see cref="OnnxModelOptions.MaxModelBytes"/>, or one sample is larger than <see cref="OnnxModelOptions.MaxTensorElements"/>.</exception>
    /// <exception cref="OnnxModelLoadException">The file is not a model ONNX Runtime can run, names external data outside its folder, or a requested execution provider is missing; the message says why.</exception>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null) => Load(path, options, out _);

    /// <summary>Loads a model file as <see cref="Load(string, OnnxModelOptions?)"/> does, and gives the bytes it read (bounded by the size limit) so a caller need not read the file again.</summary>
    internal static OnnxModel Load(string path, OnnxModelOptions? options, out byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new OnnxModelOptions();
        var fullPath = Path.GetFullPath(path);
        var source = ModelSource.File(fullPath);
        var read = ReadBounded(fullPath, options.MaxModelBytes, source);
        bytes = read;
        var info = Parse(source, () => OnnxModelInfo.Read(read, fullPath));
        IReadOnlyList<string> externalFiles;
        try
        {
            externalFiles = info.ExternalDataFiles(Path.GetDirectoryName(fullPath));
        }
        catch (Exception e) when (e is OnnxFormatException or IOException)
        {
            throw source.Fail(e.Message, e);
        }
        // Without external data the session takes the bytes already checked, so the file cannot change in between;
        // with it, ONNX Runtime must open the file itself to find the data next to it.
        return externalFiles.Count == 0
            ? Create(source, so => new InferenceSession(read, so), options)
            : Create(source, so => new InferenceSession(fullPath, so), options);
    }

    /// <summary>Loads a model from its serialized bytes.</summary>
    /// <param name="model">The contents of an <c>.onnx</c> file; it must keep all its tensors inline (no external data: bytes have no folder to look in).</param>
    /// <param name="options">Session settings and limits; <see langword="null"/> for the defaults (CPU).</param>
    /// <exception cref="LimitExceededException">The bytes are more than <see cref="OnnxModelOptions.MaxModelBytes"/>, or one sample is larger than <see cref="OnnxModelOptions.MaxTensorElements"/>.</exception>
    /// <exception cref="OnnxModelLoadException">The bytes are not a model ONNX Runtime can run, name external data, or a requested execution provider is missing; the message says why.</exception>
    public static OnnxModel Load(byte[] model, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxModelOptions();
        var source = ModelSource.Bytes(model.Length);
        if (model.LongLength > options.MaxModelBytes)
        {
            throw new LimitExceededException("OnnxModelOptions.MaxModelBytes", options.MaxModelBytes, model.LongLength, $"The in-memory ONNX model", "bytes");
        }
        var info = Parse(source, () => OnnxModelInfo.Read(model));
        try
        {
            // Refused rather than passed on: ONNX Runtime would look for the files relative to the working directory.
            info.ExternalDataFiles(modelFolder: null);
        }
        catch (Exception e) when (e is OnnxFormatException or NotSupportedException)
        {
            throw source.Fail($"{e.Message} A model given as bytes must keep its tensors inline; load it from its file instead.", e);
        }
        return Create(source, so => new InferenceSession(model, so), options);
    }

    /// <summary>
    /// Releases the native session. Calls in flight on other threads are stopped and end with
    /// <see cref="ObjectDisposedException"/>; Dispose returns once they have left. Later calls throw it too.
    /// </summary>
    public void Dispose()
    {
        if (!_gate.Close(() => _runOptions.Terminate = true))
        {
            return;
        }
        if (_runSlots is not null)
        {
            foreach (var slot in _runSlots.Values)
            {
                slot.Dispose();
            }
            _runSlots.Dispose();
        }
        _session.Dispose();
        _runOptions.Dispose();
        _sessionOptions.Dispose();
    }

    /// <summary>Runs a session call, turning the stop <see cref="Dispose"/> asks for into <see cref="ObjectDisposedException"/>.</summary>
    private T RunSession<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (OnnxRuntimeException e) when (_gate.IsClosed)
        {
            throw new ObjectDisposedException($"{GetType().FullName}: the model was disposed while the call ran.", e);
        }
    }

    private static byte[] ReadBounded(string fullPath, long maxBytes, ModelSource source)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (stream.Length > maxBytes)
            {
                throw new LimitExceededException("OnnxModelOptions.MaxModelBytes", maxBytes, stream.Length, source.Description, "bytes");
            }
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"ONNX model file '{fullPath}' was not found.", fullPath);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"ONNX model file '{fullPath}' was not found.", fullPath, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw source.Fail($"the file could not be read: {e.Message}", e);
        }
    }

    /// <summary>Our own reader first: it tells "not an ONNX file at all" clearly, and gives the graph to check for external data.</summary>
    private static OnnxModelInfo Parse(ModelSource source, Func<OnnxModelInfo> read)
    {
        try
        {
            return read();
        }
        catch (OnnxFormatException e)
        {
            // The reader's message already names the file or bytes.
            throw source.FailWithMessage($"Cannot load: {e.Message}", e);
        }
    }

    private static OnnxModel Create(ModelSource source, Func<SessionOptions, InferenceSession> openSession, OnnxModelOptions options)
    {
        var provider = ExecutionProviders.Choose(options, source);
        var sessionOptions = CreateSessionOptions(options, provider.Active, source);
        InferenceSession? session = null;
        try
        {
            try
            {
                session = openSession(sessionOptions);
            }
            catch (OnnxRuntimeException e) when (options.ExecutionProvider == OnnxExecutionProvider.BestAvailable && provider.Active == OnnxExecutionProvider.Cuda)
            {
                // CUDA's provider loaded but could not take this model or device: the CPU is what was asked for next.
                sessionOptions.Dispose();
                provider = new ProviderChoice(OnnxExecutionProvider.Cpu, ExecutionProviders.FallbackNote(options, e.Message));
                sessionOptions = CreateSessionOptions(options, OnnxExecutionProvider.Cpu, source);
                session = openSession(sessionOptions);
            }
            return new OnnxModel(sessionOptions, session, source, options, provider);
        }
        catch (OnnxRuntimeException e)
        {
            session?.Dispose();
            sessionOptions.Dispose();
            throw source.Fail($"ONNX Runtime rejected it: {e.Message}", e);
        }
        catch
        {
            session?.Dispose();
            sessionOptions.Dispose();
            throw;
        }
    }

    private static SessionOptions CreateSessionOptions(OnnxModelOptions options, OnnxExecutionProvider provider, ModelSource source)
    {
        var sessionOptions = ExecutionProviders.NewSessionOptions(source);
        try
        {
            sessionOptions.GraphOptimizationLevel = options.OptimizationLevel switch
            {
                OnnxOptimizationLevel.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OnnxOptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OnnxOptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
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
            if (provider == OnnxExecutionProvider.Cuda)
            {
                ExecutionProviders.AppendCuda(sessionOptions, options, source);
            }
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }
}
