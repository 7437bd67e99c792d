namespace SharpShot.Generators.Layers;

/// <summary>The registry of layer kinds: adding a layer means adding its rule file and one line here.</summary>
internal static class LayerRules
{
    public static IReadOnlyList<LayerRule> All { get; } = new LayerRule[]
    {
        new Conv2dRule(),
        new MaxPool2dRule(),
        new FlattenRule(),
        new DenseRule(),
        new ReluRule(),
        new SoftmaxRule(),
        new DropoutRule(),
    };

    private static readonly Dictionary<string, LayerRule> s_byAttribute = All.ToDictionary(rule => rule.AttributeMetadataName);

    /// <summary>The rule for an attribute class given by its full metadata name, or null when SharpShot has none.</summary>
    public static LayerRule? ForAttribute(string attributeMetadataName) =>
        s_byAttribute.TryGetValue(attributeMetadataName, out LayerRule? rule) ? rule : null;

    /// <summary>The known kinds, for messages: "Conv2d, MaxPool2d, …".</summary>
    public static string KnownKinds => string.Join(", ", All.Select(rule => rule.Kind));
}
