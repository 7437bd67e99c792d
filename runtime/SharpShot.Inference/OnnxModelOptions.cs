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

/// <summary>Session settings for <see cref="OnnxModel.Load(string, OnnxModelOptions?)"/>.</summary>
public sealed class OnnxModelOptions
{
    private readonly int? _intraOpThreads;
    private readonly int? _interOpThreads;
    private readonly int _cudaDeviceId;

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

    /// <summary>
    /// Run on an NVIDIA GPU through ONNX Runtime's CUDA execution provider. Loading fails with an
    /// <see cref="OnnxModelLoadException"/> when the provider is not available (it needs the
    /// Microsoft.ML.OnnxRuntime.Gpu package and CUDA libraries) rather than silently running on the CPU.
    /// </summary>
    public bool UseCuda { get; init; }

    /// <summary>The CUDA device to run on when <see cref="UseCuda"/> is set; 0 by default.</summary>
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

    private static int? PositiveOrNull(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, or null to let ONNX Runtime choose.");
        }
        return value;
    }
}
