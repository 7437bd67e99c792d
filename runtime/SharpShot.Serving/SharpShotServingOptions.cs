using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>What <see cref="SharpShotServiceCollectionExtensions.AddSharpShot(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/> serves, bound from configuration (the <c>SharpShot</c> section of <c>appsettings.json</c>) or set in code.</summary>
public sealed class SharpShotServingOptions
{
    /// <summary>Default of <see cref="MaxRequestBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxRequestBytes = 64L << 20;

    /// <summary>The models, each under its own name.</summary>
    public List<ServedModelOptions> Models { get; set; } = [];

    /// <summary>The largest request body accepted; a larger one gets 413.</summary>
    public long MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>How often the model files are checked for a new version, in milliseconds (default 2000); 0 never reloads.</summary>
    public int ReloadPollMilliseconds { get; set; } = 2000;

    /// <summary>Bounds of the few-shot sessions (<c>/v1/models/{name}/sessions</c>).</summary>
    public FewShotSessionOptions Sessions { get; set; } = new();
}

/// <summary>Bounds of the few-shot sessions: how many live at once, how long an unused one lives, how large one may be.</summary>
public sealed class FewShotSessionOptions
{
    /// <summary>Most sessions alive at once (default 256); creating one more gets 503 with Retry-After until one is deleted or expires.</summary>
    public int MaxSessions { get; set; } = 256;

    /// <summary>Seconds an unused session lives (default 900): each use restarts the clock; an expired session is gone (404).</summary>
    public int IdleTimeoutSeconds { get; set; } = 900;

    /// <summary>Most labelled example images in one session (default 256).</summary>
    public int MaxExamples { get; set; } = 256;

    /// <summary>Longest class label, in characters (default 200).</summary>
    public int MaxLabelLength { get; set; } = 200;
}

/// <summary>One served model.</summary>
public sealed class ServedModelOptions
{
    /// <summary>The name in the routes (<c>/v2/models/{name}</c>); defaults to the file name without <c>.onnx</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The <c>.onnx</c> file.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary><c>Cpu</c> (default), <c>Cuda</c> or <c>BestAvailable</c>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; set; } = OnnxExecutionProvider.Cpu;

    /// <summary>ONNX Runtime's intra-op threads; null lets it choose.</summary>
    public int? Threads { get; set; }

    /// <summary>Dynamic batching (concurrent requests run as one call); null (the default) runs each request on its own.</summary>
    public BatchingOptions? Batching { get; set; }

    /// <summary>The name the model is served under.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? System.IO.Path.GetFileNameWithoutExtension(Path) : Name;
}
