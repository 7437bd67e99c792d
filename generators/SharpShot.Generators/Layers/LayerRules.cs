namespace SharpShot.Generators.Layers;

/// <summary>The registry of layer kinds: adding a layer means adding its rule file and one line here.</summary>
internal static class LayerRules
{
    public static IReadOnlyList<LayerRule> All { get; } = new LayerRule[]
    {
        // Learned transformations.
        new DenseRule(),
        new Conv1dRule(),
        new Conv2dRule(),
        new ConvTranspose2dRule(),
        new EmbeddingRule(),
        new LstmRule(),
        new GruRule(),

        // Pooling, normalization, regularization.
        new MaxPool2dRule(),
        new AvgPool2dRule(),
        new GlobalAvgPool2dRule(),
        new BatchNorm1dRule(),
        new BatchNorm2dRule(),
        new LayerNormRule(),
        new DropoutRule(),

        // Shape changes.
        new FlattenRule(),
        new ReshapeRule(),

        // Activations.
        new ReluRule(),
        new LeakyReluRule(),
        new EluRule(),
        new GeluRule(),
        new SiluRule(),
        new SigmoidRule(),
        new TanhRule(),
        new SoftmaxRule(),
        new LogSoftmaxRule(),
    };

    private static readonly Dictionary<string, LayerRule> s_byAttribute = All.ToDictionary(rule => rule.AttributeMetadataName);

    private static readonly Dictionary<string, LayerRule> s_byKind = All.ToDictionary(rule => rule.Kind);

    /// <summary>The rule for an attribute class given by its full metadata name, or null when SharpShot has none.</summary>
    public static LayerRule? ForAttribute(string attributeMetadataName) =>
        s_byAttribute.TryGetValue(attributeMetadataName, out LayerRule? rule) ? rule : null;

    /// <summary>The rule of a layer kind, e.g. Conv2d, or null when there is none (a block's class name).</summary>
    public static LayerRule? ForKind(string kind) => s_byKind.TryGetValue(kind, out LayerRule? rule) ? rule : null;

    /// <summary>The rule whose layers project residual shortcuts between shapes of <paramref name="rank"/> dimensions, or null when none does.</summary>
    public static LayerRule? ProjectingRank(int rank) => All.FirstOrDefault(rule => rule.Projects?.Rank == rank);

    /// <summary>The shapes residual shortcuts can be projected between, highest rank first, for messages: "(channels, height, width) and (features)".</summary>
    public static string ProjectedShapes { get; } = string.Join(" and ", All
        .Select(rule => rule.Projects)
        .OfType<(int Rank, string Shape)>()
        .OrderByDescending(projected => projected.Rank)
        .Select(projected => projected.Shape));

    /// <summary>The known kinds, for messages: "Dense, Conv1d, …; the compositions Repeat, Residual and Use".</summary>
    public static string KnownKinds { get; } = string.Join(", ", All.Select(rule => rule.Kind)) + "; the compositions Repeat, Residual and Use";
}
