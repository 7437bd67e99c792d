using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// The served models: loaded when the registry is created (a singleton), watched for changes and swapped in when
/// their file is replaced (write the new file elsewhere and rename it over the old: a half-written file is never
/// loaded, and a file that fails to load leaves the running version in place), disposed with the app. A model that
/// fails to load is reported (not ready, with the reason) rather than stopping the others.
/// </summary>
public sealed class ModelRegistry : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, ServedModel> _served = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly ILogger<ModelRegistry> _logger;
    private readonly Timer? _watch;
    private int _checking;

    /// <summary>Loads every configured model and starts watching their files.</summary>
    /// <exception cref="ArgumentException">Two models share a name, or one has no path.</exception>
    public ModelRegistry(IOptions<SharpShotServingOptions> options, ILogger<ModelRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        Options = options.Value;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ServedModelOptions model in Options.Models)
        {
            if (string.IsNullOrWhiteSpace(model.Path))
            {
                throw new ArgumentException($"A served model ('{model.Name}') has no Path.", nameof(options));
            }

            if (!names.Add(model.EffectiveName))
            {
                throw new ArgumentException($"Two served models are named '{model.EffectiveName}'; give one a Name.", nameof(options));
            }

            Load(model);
        }

        if (Options.ReloadPollMilliseconds > 0)
        {
            _watch = new Timer(_ => CheckForChanges(), null, Options.ReloadPollMilliseconds, Options.ReloadPollMilliseconds);
        }
    }

    /// <summary>The options the registry was built from.</summary>
    public SharpShotServingOptions Options { get; }

    /// <summary>The names of every configured model, loaded or not, in configuration order.</summary>
    public IReadOnlyList<string> Names => Options.Models.Select(m => m.EffectiveName).ToArray();

    /// <summary>Whether every configured model is loaded.</summary>
    public bool AllReady => _failures.IsEmpty;

    /// <summary>The current version of the model of that name (for metadata: no request runs on it).</summary>
    public bool TryGet(string name, out OnnxModel model)
    {
        model = _served.TryGetValue(name, out ServedModel? served) ? served.Model : null!;
        return model is not null;
    }

    /// <summary>Why the model of that name is not loaded; null when it is or is unknown.</summary>
    public string? FailureOf(string name) => _failures.GetValueOrDefault(name);

    /// <summary>Whether a model of that name is configured.</summary>
    public bool IsConfigured(string name) => Options.Models.Any(m => m.EffectiveName == name);

    /// <summary>
    /// Runs a request on the current version of the model: through its dynamic batcher when it has one, else on its
    /// own. The version stays alive until the request is done, even if a reload replaces it meanwhile.
    /// </summary>
    /// <exception cref="QueueFullException">The batcher's queue is full.</exception>
    /// <exception cref="InvalidOperationException">The model is not loaded.</exception>
    public async Task<IReadOnlyDictionary<string, OnnxTensor>> Run(string name, IReadOnlyDictionary<string, OnnxTensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken)
    {
        ServedModel served = Acquire(name);
        try
        {
            if (served.Batcher is { } batcher)
            {
                return await batcher.Run(inputs, outputs, cancellationToken);
            }

            var result = served.Model.Run(inputs, outputs);
            ServingMetrics.BatchSize.Record(inputs.Values.FirstOrDefault()?.Shape.FirstOrDefault() ?? 1, new KeyValuePair<string, object?>("model", name));
            return result;
        }
        finally
        {
            served.Release();
        }
    }

    /// <summary>Runs <paramref name="use"/> on the current version of the model, which stays alive until it returns.</summary>
    /// <exception cref="InvalidOperationException">The model is not loaded.</exception>
    public T Use<T>(string name, Func<OnnxModel, T> use)
    {
        ArgumentNullException.ThrowIfNull(use);
        ServedModel served = Acquire(name);
        try
        {
            return use(served.Model);
        }
        finally
        {
            served.Release();
        }
    }

    /// <summary>Requests waiting or running in the batcher of the current version; null for a model without dynamic batching.</summary>
    public int? InFlight(string name) =>
        _served.TryGetValue(name, out ServedModel? served) && served.Batcher is { } batcher ? batcher.InFlight : null;

    /// <summary>Batches run and samples in them by the current version of a batching model; null for one without dynamic batching.</summary>
    public (long Batches, long Samples)? BatchingCounts(string name) =>
        _served.TryGetValue(name, out ServedModel? served) && served.Batcher is { } batcher ? (batcher.Batches, batcher.Samples) : null;

    private ServedModel Acquire(string name)
    {
        while (true)
        {
            if (!_served.TryGetValue(name, out ServedModel? served))
            {
                throw new InvalidOperationException($"Model '{name}' is not loaded: {FailureOf(name)}");
            }

            if (served.TryAcquire())
            {
                return served;
            }
        }
    }

    private void Load(ServedModelOptions model)
    {
        string name = model.EffectiveName;
        try
        {
            var stamp = Stamp(model.Path);
            var loaded = OnnxModel.Load(model.Path, new OnnxModelOptions { ExecutionProvider = model.ExecutionProvider, IntraOpThreads = model.Threads });
            var served = new ServedModel(name, loaded, model.Batching, stamp);
            if (model.Batching is not null && served.Batcher is null)
            {
                _logger.LogWarning("Model {Name} cannot be batched dynamically (an input or output has a fixed first axis); each request runs on its own", name);
            }

            ServedModel? previous = null;
            _served.AddOrUpdate(name, served, (_, old) =>
            {
                previous = old;
                return served;
            });
            previous?.Retire();
            _failures.TryRemove(name, out _);
            _logger.LogInformation("{Action} model {Name} from {Path} on {Provider}", previous is null ? "Serving" : "Reloaded", name, model.Path, loaded.ExecutionProvider);
        }
        catch (Exception e) when (e is OnnxModelLoadException or FileNotFoundException or LimitExceededException or IOException or UnauthorizedAccessException)
        {
            if (_served.ContainsKey(name))
            {
                _logger.LogError("Model {Name} changed on disk but could not be loaded; the running version stays: {Reason}", name, e.Message);
            }
            else
            {
                _failures[name] = e.Message;
                _logger.LogError("Model {Name} could not be loaded: {Reason}", name, e.Message);
            }
        }
    }

    private void CheckForChanges()
    {
        if (Interlocked.Exchange(ref _checking, 1) != 0)
        {
            return;
        }

        try
        {
            foreach (ServedModelOptions model in Options.Models)
            {
                (DateTime, long)? stamp = File.Exists(model.Path) ? Stamp(model.Path) : null;
                bool changed = _served.TryGetValue(model.EffectiveName, out ServedModel? served) ? stamp is { } s && s != served.Stamp : stamp is not null;
                if (changed)
                {
                    Load(model);
                }
            }
        }
        catch (Exception e)
        {
            // A watcher must not take the process down; the next check tries again.
            _logger.LogError(e, "Checking the model files for changes failed");
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return (info.LastWriteTimeUtc, info.Length);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }

        foreach (ServedModel served in _served.Values)
        {
            served.Retire();
        }

        _served.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
