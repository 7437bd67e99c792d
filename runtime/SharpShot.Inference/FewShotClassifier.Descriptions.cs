using System.Collections.ObjectModel;
using System.Text.Json;
using SharpShot.Onnx;

namespace SharpShot.Inference;

public sealed partial class FewShotClassifier
{
    private readonly ModelSource _source;
    private readonly OnnxModelOptions? _options;

    // The attribute map's file name as the embedding's metadata gives it; null when the model has none.
    private readonly string? _attributeMapName;
    private readonly object _attributeMapLock = new();
    private OnnxModel? _attributeMap;

    /// <summary>
    /// The attributes of a class description, in the order <see cref="FitDescriptions"/> takes their values: what the
    /// zero-shot learner was trained with (<c>sharpshot.attribute_names</c>). Empty when the model cannot fit descriptions.
    /// </summary>
    public ReadOnlyCollection<string> AttributeNames { get; }

    /// <summary>
    /// Whether the embedding names an attribute map (exported by a zero-shot <c>MetaLearner</c> as
    /// <c>&lt;name&gt;.attributes.onnx</c> beside it), so that classes can be fitted from descriptions. The map file is
    /// loaded, with this classifier's options, when a description is first given.
    /// </summary>
    public bool SupportsDescriptions => _attributeMapName is not null;

    /// <summary>
    /// The prototypes that class descriptions map to: one row of <see cref="EmbeddingLength"/> values per description, in
    /// the embedding space, as the attribute map trained with the embedding computes them.
    /// </summary>
    /// <param name="descriptions">One or more descriptions, <see cref="AttributeNames"/>.Count values each, one after another.</param>
    /// <exception cref="InvalidOperationException">The model has no attribute map (<see cref="SupportsDescriptions"/> is false).</exception>
    /// <exception cref="OnnxModelLoadException">The attribute map file is missing, outside the model's folder, or does not fit the embedding.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="descriptions"/> is empty or not a whole number of descriptions.</exception>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public float[] MapDescriptions(ReadOnlySpan<float> descriptions)
    {
        ThrowIfDisposed();
        OnnxModel map = AttributeMapModel();
        int length = AttributeNames.Count;
        if (descriptions.IsEmpty || descriptions.Length % length != 0)
        {
            throw new ShapeMismatchException(nameof(descriptions),
                $"Expected one or more descriptions of {length} values ({string.Join(", ", AttributeNames)}); got {descriptions.Length} values.",
                length, descriptions.Length);
        }

        for (int i = 0; i < descriptions.Length; i++)
        {
            if (!float.IsFinite(descriptions[i]))
            {
                throw new ArgumentException(
                    $"Attribute '{AttributeNames[i % length]}' of description {i / length} is {descriptions[i]}; attribute values must be finite.", nameof(descriptions));
            }
        }

        int count = descriptions.Length / length;
        var prototypes = new float[(long)count * EmbeddingLength];
        map.PredictMany(descriptions, count, prototypes);
        return prototypes;
    }

    /// <summary>
    /// Fits classes from their descriptions alone (zero-shot): each class's prototype is what its description maps to
    /// (<see cref="MapDescriptions"/>). A new fit replaces the previous one; add examples later with
    /// <see cref="AddExamples"/>, or more classes with <see cref="AddDescriptions"/>.
    /// </summary>
    /// <param name="descriptions">One description per label, <see cref="AttributeNames"/>.Count values each, one after another.</param>
    /// <param name="labels">One class name per description; a name given twice averages its descriptions.</param>
    /// <exception cref="InvalidOperationException">The model has no attribute map.</exception>
    /// <exception cref="OnnxModelLoadException">The attribute map file is missing, outside the model's folder, or does not fit the embedding.</exception>
    /// <exception cref="ShapeMismatchException">The values are not one description per label.</exception>
    /// <exception cref="ArgumentException">No labels, a null label, or a value that is not finite.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void FitDescriptions(ReadOnlySpan<float> descriptions, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        _prototypes = PrototypeSet.FromEmbeddings(DescriptionPrototypes(descriptions, labels), EmbeddingLength, labels);
    }

    /// <summary>
    /// Adds classes from descriptions, or descriptions to classes already known, without refitting the others. A
    /// description counts as one example of its class: a class fitted from examples and a description has the mean of
    /// their embeddings and the description's prototype as its prototype. Before any fit, it fits.
    /// </summary>
    /// <param name="descriptions">One description per label, <see cref="AttributeNames"/>.Count values each.</param>
    /// <param name="labels">One class name per description.</param>
    /// <exception cref="InvalidOperationException">The model has no attribute map.</exception>
    /// <exception cref="OnnxModelLoadException">The attribute map file is missing, outside the model's folder, or does not fit the embedding.</exception>
    /// <exception cref="ShapeMismatchException">The values are not one description per label.</exception>
    /// <exception cref="ArgumentException">No labels, a null label, or a value that is not finite.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <remarks>Like Fit, not to be called while predictions or another change run.</remarks>
    public void AddDescriptions(ReadOnlySpan<float> descriptions, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        float[] prototypes = DescriptionPrototypes(descriptions, labels);
        _prototypes = _prototypes is { } current
            ? current.WithExamples(prototypes, labels)
            : PrototypeSet.FromEmbeddings(prototypes, EmbeddingLength, labels);
    }

    private float[] DescriptionPrototypes(ReadOnlySpan<float> descriptions, IReadOnlyList<string> labels)
    {
        ThrowIfDisposed();
        RequireDescriptions();
        if (labels.Count == 0 || descriptions.Length != (long)labels.Count * AttributeNames.Count)
        {
            throw new ShapeMismatchException(nameof(descriptions),
                $"Expected {labels.Count} descriptions of {AttributeNames.Count} values ({(long)labels.Count * AttributeNames.Count}) for {labels.Count} labels; got {descriptions.Length} values.",
                (long)labels.Count * AttributeNames.Count, descriptions.Length);
        }

        return MapDescriptions(descriptions);
    }

    private void RequireDescriptions()
    {
        if (_attributeMapName is null)
        {
            throw new InvalidOperationException(
                $"{_modelDescription} has no attribute map, so it cannot fit classes from descriptions: export the embedding of a zero-shot MetaLearner (made with an attribute map) to get one.");
        }
    }

    /// <summary>The attribute map, loaded on first use from beside the embedding and checked against it.</summary>
    private OnnxModel AttributeMapModel()
    {
        RequireDescriptions();
        lock (_attributeMapLock)
        {
            ThrowIfDisposed();
            if (_attributeMap is { } loaded)
            {
                return loaded;
            }

            if (_source.FilePath is not { } embeddingPath)
            {
                throw _source.Fail(
                    $"its attribute map '{_attributeMapName}' is a file beside the embedding, and this model was given as bytes; load the embedding from its file.");
            }

            string mapPath;
            try
            {
                mapPath = CompanionFile.Resolve(embeddingPath, _attributeMapName!, "attribute map");
            }
            catch (OnnxFormatException e)
            {
                throw _source.Fail(e.Message, e);
            }

            if (!File.Exists(mapPath))
            {
                throw _source.Fail($"its attribute map '{mapPath}' is missing: keep the '.attributes.onnx' file that was exported with the embedding beside it.");
            }

            OnnxModel map = OnnxModel.Load(mapPath, _options);
            try
            {
                string? problem = !map.SupportsFloatApi ? map.FloatApiObstacle
                    : !map.InputShape.SequenceEqual([AttributeNames.Count]) ? $"it takes {ModelSignature.FormatShape(map.InputShape)} per description, but the embedding names {AttributeNames.Count} attributes"
                    : map.OutputLength != EmbeddingLength ? $"it outputs {map.OutputLength} values per description, but an embedding has {EmbeddingLength}"
                    : null;
                if (problem is not null)
                {
                    throw new OnnxModelLoadException(mapPath, $"Cannot use attribute map '{mapPath}' with {_modelDescription}: {problem}.", null);
                }
            }
            catch
            {
                map.Dispose();
                throw;
            }

            return _attributeMap = map;
        }
    }

    /// <summary>The attribute map's file name and the attribute names an embedding's metadata gives, checked; (null, empty) when it has none.</summary>
    private static (string? MapName, ReadOnlyCollection<string> Names) ReadAttributeMetadata(IReadOnlyDictionary<string, string> metadata, ModelSource source)
    {
        if (!metadata.TryGetValue(SharpShotMetadata.AttributeMap, out string? mapName))
        {
            return (null, Array.AsReadOnly(Array.Empty<string>()));
        }

        string[]? names = null;
        if (metadata.TryGetValue(SharpShotMetadata.AttributeNames, out string? json))
        {
            try
            {
                names = JsonSerializer.Deserialize<string[]>(json);
            }
            catch (JsonException)
            {
            }
        }

        if (names is not { Length: > 0 } || names.Any(string.IsNullOrWhiteSpace) || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw source.Fail(
                $"it names an attribute map ('{SharpShotMetadata.AttributeMap}') but its '{SharpShotMetadata.AttributeNames}' is not a JSON array of distinct attribute names.");
        }

        return (mapName, Array.AsReadOnly(names));
    }
}
