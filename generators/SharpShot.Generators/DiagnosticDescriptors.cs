using Microsoft.CodeAnalysis;

namespace SharpShot.Generators;

/// <summary>
/// The catalog of SharpShot diagnostics. IDs are stable: never reuse or renumber one; a new rule gets
/// the next free ID and a line in AnalyzerReleases.Unshipped.md and docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SharpShot";

    public static readonly DiagnosticDescriptor NotPartial = new(
        id: "SS0001",
        title: "Model class must be partial",
        messageFormat: "{0} '{1}' must be declared partial so that SharpShot can add the generated model code",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "SharpShot generates the rest of a [Model] class in another file, so the class and every type containing it must be declared partial.");

    public static readonly DiagnosticDescriptor NeedsFlatInput = new(
        id: "SS0002",
        title: "Layer needs a flat input",
        messageFormat: "Layer {0} '{1}' needs a flat (features) input but gets {2}; add Flatten before it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A vector layer such as Dense works on one dimension of features; a multi-dimensional output must be flattened first.");

    public static readonly DiagnosticDescriptor WindowTooLarge = new(
        id: "SS0003",
        title: "Window larger than its input",
        messageFormat: "Layer {0} '{1}': the {2} window is larger than the {3} input {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A convolution kernel or pooling window must fit inside its (padded) input in both height and width.");

    public static readonly DiagnosticDescriptor OutOfRange = new(
        id: "SS0004",
        title: "Size or hyperparameter out of range",
        messageFormat: "{0}: {1} must be {2}, but is {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Sizes (model dimensions, filters, kernels, strides, units) must be positive, padding non-negative, a dropout rate in [0, 1), and training values positive.");

    public static readonly DiagnosticDescriptor NeedsImageInput = new(
        id: "SS0005",
        title: "Layer needs a (channels, height, width) input",
        messageFormat: "Layer {0} '{1}' needs a (channels, height, width) input but gets {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "2-D layers such as Conv2d and MaxPool2d work on images: per-sample inputs of rank 3, channels first.");

    public static readonly DiagnosticDescriptor NoLayers = new(
        id: "SS0006",
        title: "Model declares no layers",
        messageFormat: "Model '{0}' declares no layers; add layer attributes after [Model], such as [Flatten, Dense(10)]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [Model] class needs at least one layer attribute.");

    public static readonly DiagnosticDescriptor InvalidLayerName = new(
        id: "SS0007",
        title: "Invalid or duplicate layer name",
        messageFormat: "Layer {0} '{1}' cannot be named '{2}': {3}; choose another Name",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A layer's name becomes a field of the generated class: it must be a C# identifier, unique among the layers, and must not clash with generated, inherited or declared members.");

    public static readonly DiagnosticDescriptor UnsupportedDeclaration = new(
        id: "SS0008",
        title: "Unsupported model declaration",
        messageFormat: "Model class '{0}' cannot be generated: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [Model] must be a non-generic, non-static class (not a record, not file-local), not nested in a generic type, without a base class of its own.");

    public static readonly DiagnosticDescriptor UnknownLayer = new(
        id: "SS0009",
        title: "Unknown layer kind",
        messageFormat: "Layer {0} '{1}': '{2}' derives from LayerAttribute, but SharpShot has no shape rule for it; the known layers are {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Only the layer attributes SharpShot ships can be used; a custom LayerAttribute subclass has no shape rule or runtime layer.");

    public static readonly DiagnosticDescriptor InternalError = new(
        id: "SS9999",
        title: "SharpShot generator internal error",
        messageFormat: "SharpShot could not generate model '{0}' because of an internal error; please report it: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator failed unexpectedly; the model's code was not generated.");

    // Static initializers run in textual order, so these two must follow the descriptors.

    /// <summary>Every descriptor, in ID order.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = new[]
    {
        NotPartial, NeedsFlatInput, WindowTooLarge, OutOfRange, NeedsImageInput, NoLayers, InvalidLayerName, UnsupportedDeclaration, UnknownLayer, InternalError,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
