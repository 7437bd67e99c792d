using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// The served models, loaded once when the registry is created (a singleton) and disposed with the app. A model
/// that fails to load is reported (not ready, with the reason) rather than stopping the others.
/// </summary>
public sealed class ModelRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, OnnxModel> _models = new(StringComparer.Ordinal);
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

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (OnnxModel model in _models.Values)
        {
            model.Dispose();
        }

        _models.Clear();
    }
}
