using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// The served models, loaded once when the registry is created (a singleton) and disposed with the app. A model
/// that fails to load is reported (not ready, with the reason) rather than stopping the others.
/// </summary>
public sealed class ModelRegistry : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, OnnxModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DynamicBatcher> _batchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);

    /// <summary>Loads every configured model.</summary>
    /// <exception cref="ArgumentException">Two models share a name, or one has no path.</exception>
    public ModelRegistry(IOptions<SharpShotServingOptions> options, ILogger<ModelRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        foreach (ServedModelOptions model in Options.Models)
        {
            if (string.IsNullOrWhiteSpace(model.Path))
            {
                throw new ArgumentException($"A served model ('{model.Name}') has no Path.", nameof(options));
            }

            string name = model.EffectiveName;
            if (_models.ContainsKey(name) || _failures.ContainsKey(name))
            {
                throw new ArgumentException($"Two served models are named '{name}'; give one a Name.", nameof(options));
            }

            try
            {
                _models[name] = OnnxModel.Load(model.Path, new OnnxModelOptions { ExecutionProvider = model.ExecutionProvider, IntraOpThreads = model.Threads });
                logger.LogInformation("Serving model {Name} from {Path} on {Provider}", name, model.Path, _models[name].ExecutionProvider);
                if (model.Batching is { } batching)
                {
                    if (DynamicBatcher.CanBatch(_models[name]))
                    {
                        _batchers[name] = new DynamicBatcher(_models[name], batching);
                    }
                    else
                    {
                        logger.LogWarning("Model {Name} cannot be batched dynamically (an input or output has a fixed first axis); each request runs on its own", name);
                    }
                }
            }
            catch (Exception e) when (e is OnnxModelLoadException or FileNotFoundException or LimitExceededException or IOException)
            {
                _failures[name] = e.Message;
                logger.LogError("Model {Name} could not be loaded: {Reason}", name, e.Message);
            }
        }
    }

    /// <summary>The options the registry was built from.</summary>
    public SharpShotServingOptions Options { get; }

    /// <summary>The names of every configured model, loaded or not, in configuration order.</summary>
    public IReadOnlyList<string> Names => Options.Models.Select(m => m.EffectiveName).ToArray();

    /// <summary>Whether every configured model loaded.</summary>
    public bool AllReady => _failures.IsEmpty;

    /// <summary>The loaded model of that name.</summary>
    public bool TryGet(string name, out OnnxModel model) => _models.TryGetValue(name, out model!);

    /// <summary>Why the model of that name did not load; null when it did or is unknown.</summary>
    public string? FailureOf(string name) => _failures.GetValueOrDefault(name);

    /// <summary>Whether a model of that name is configured.</summary>
    public bool IsConfigured(string name) => _models.ContainsKey(name) || _failures.ContainsKey(name);

    /// <summary>Runs a request: through the model's dynamic batcher when it has one, else on its own.</summary>
    /// <exception cref="QueueFullException">The batcher's queue is full.</exception>
    public Task<IReadOnlyDictionary<string, OnnxTensor>> Run(string name, OnnxModel model, IReadOnlyDictionary<string, OnnxTensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken) =>
        _batchers.TryGetValue(name, out DynamicBatcher? batcher)
            ? batcher.Run(inputs, outputs, cancellationToken)
            : Task.FromResult(model.Run(inputs, outputs));

    /// <summary>Batches run and samples in them for a batching model; null for one without dynamic batching.</summary>
    public (long Batches, long Samples)? BatchingCounts(string name) =>
        _batchers.TryGetValue(name, out DynamicBatcher? batcher) ? (batcher.Batches, batcher.Samples) : null;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (DynamicBatcher batcher in _batchers.Values)
        {
            await batcher.DisposeAsync();
        }

        _batchers.Clear();
        foreach (OnnxModel model in _models.Values)
        {
            model.Dispose();
        }

        _models.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
