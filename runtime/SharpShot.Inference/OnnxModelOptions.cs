namespace SharpShot.Inference;

/// <summary>How much ONNX Runtime rewrites the graph when a model is loaded.</summary>
public enum OnnxOptimizationLevel
{
    /// <summary>No rewriting: the graph runs as exported (useful to rule out an optimizer bug).</summary>
    None,

    /// <summary>Semantics-preserving rewrites such as constant folding and redundant node removal.</summary>
    Basic,

    /// <summary><see cref="Basic"/> plus fusions of common node groups.</summary>
    Extended,

    /// <summary>Every optimization, including memory layout changes; the fastest and ONNX Runtime's default.</summary>
    All,
}

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider; always available.</summary>
    Cpu,

    /// <summary>
    /// An NVIDIA GPU through the CUDA provider. Loading fails with an <see cref="OnnxModelLoadException"/> when it
    /// cannot start (the app references the CPU-only native package, or CUDA/cuDNN or the device is missing) rather
    /// than silently running on the CPU.
    /// </summary>
    Cuda,

    /// <summary>
    /// CUDA when it starts, else the CPU: <see cref="OnnxModel.ExecutionProvider"/> says which one runs, and
    /// <see cref="OnnxModel.ExecutionProviderNote"/> why CUDA was not used.
    /// </summary>
    BestAvailable,
}

/// <summary>Session settings and safety limits for <see cref="OnnxModel.Load(string, OnnxModelOptions?)"/>.</summary>
/// <remarks>
/// The limits exist because a model file is untrusted input: its declared sizes, not the caller, would otherwise decide
/// how much memory the host allocates. Each has a default that serves ordinary models and can be raised.
/// </remarks>
public sealed class OnnxModelOptions
{
    /// <summary>Default of <see cref="MaxModelBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxModelBytes = 1L << 30;

    /// <summary>Default of <see cref="MaxTensorElements"/>: 64 Mi elements (256 MiB of float).</summary>
    public const long DefaultMaxTensorElements = 64L << 20;

    private readonly int? _intraOpThreads;
    private readonly int? _interOpThreads;
    private readonly int _cudaDeviceId;
    private readonly long _maxModelBytes = DefaultMaxModelBytes;
    private readonly long _maxTensorElements = DefaultMaxTensorElements;

    /// <summary>Threads one operator may use, e.g. to split a large matrix product; <see langword="null"/> lets ONNX Runtime choose (one per physical core).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? IntraOpThreads
    {
        get => _intraOpThreads;
        init => _intraOpThreads = PositiveOrNull(value, nameof(IntraOpThreads));
    }

    /// <summary>
    /// Threads used to run independent branches of the graph at the same time; <see langword="null"/> runs
    /// nodes one after another. A value above 1 switches ONNX Runtime to parallel execution, which only
    /// helps graphs with parallel branches.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int? InterOpThreads
    {
        get => _interOpThreads;
        init => _interOpThreads = PositiveOrNull(value, nameof(InterOpThreads));
    }

    /// <summary>Graph optimizations applied at load; <see cref="OnnxOptimizationLevel.All"/> by default.</summary>
    public OnnxOptimizationLevel OptimizationLevel { get; init; } = OnnxOptimizationLevel.All;

    /// <summary>Where the model runs; <see cref="OnnxExecutionProvider.Cpu"/> by default.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>The CUDA device to run on when <see cref="ExecutionProvider"/> asks for CUDA; 0 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int CudaDeviceId
    {
        get => _cudaDeviceId;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(CudaDeviceId));
            _cudaDeviceId = value;
        }
    }

    /// <summary>
    /// The largest model file (or byte array) accepted, <see cref="DefaultMaxModelBytes"/> by default; a larger one
    /// fails with a <see cref="LimitExceededException"/> before it is read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public long MaxModelBytes
    {
        get => _maxModelBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxModelBytes));
            _maxModelBytes = value;
        }
    }

    /// <summary>
    /// The most elements one input or output tensor may hold, <see cref="DefaultMaxTensorElements"/> by default. It
    /// bounds what the host allocates for a model's declared shapes (one sample at load, a batch per call) and what it
    /// copies out of ONNX Runtime; exceeding it fails with a <see cref="LimitExceededException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public long MaxTensorElements
    {
        get => _maxTensorElements;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxTensorElements));
            _maxTensorElements = value;
        }
    }

    /// <summary>
    /// Bounds on the images the image API decodes (file bytes, pixels, side), <see cref="Imaging.ImageLimits.Default"/>
    /// by default; an image beyond them fails with an <see cref="Imaging.ImageLimitException"/> before it is decoded.
    /// </summary>
    public Imaging.ImageLimits ImageLimits { get; init; } = Imaging.ImageLimits.Default;

    /// <summary>
    /// What the model's image input means, for a model whose metadata does not say (one exported by another tool) or
    /// to override what it says; <see langword="null"/> (the default) reads it from the metadata. Its channels and
    /// size must match the input's shape, or loading fails.
    /// </summary>
    public Onnx.ImageInputContract? ImageInput { get; init; }

    private static int? PositiveOrNull(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, or null to let ONNX Runtime choose.");
        }
        return value;
    }
}
