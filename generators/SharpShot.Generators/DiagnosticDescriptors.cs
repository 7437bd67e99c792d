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
        messageFormat: "{0} needs a flat (features) input but gets {1}; add Flatten before it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A vector layer such as Dense works on one dimension of features; a multi-dimensional output must be flattened first.");

    public static readonly DiagnosticDescriptor WindowTooLarge = new(
        id: "SS0003",
        title: "Window larger than its input",
        messageFormat: "{0}: the {1} window is larger than the {2} input {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A convolution kernel (dilated, if Dilation is set) or pooling window must fit inside its (padded) input in every spatial dimension.");

    public static readonly DiagnosticDescriptor OutOfRange = new(
        id: "SS0004",
        title: "Size or hyperparameter out of range",
        messageFormat: "{0}: {1} must be {2}, but is {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Sizes (model dimensions, filters, kernels, strides, units, repeat counts) must be positive, padding non-negative (pooling padding at most half the kernel), rates and momenta in range, epsilons positive, and training values positive.");

    public static readonly DiagnosticDescriptor NeedsRank = new(
        id: "SS0005",
        title: "Layer needs an input of another rank",
        messageFormat: "{0} needs a {1} input but gets {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each layer works on inputs of a given rank: 2-D layers such as Conv2d on (channels, height, width), Conv1d on (channels, length), recurrent layers on (length, features), Embedding on (length).");

    public static readonly DiagnosticDescriptor NoLayers = new(
        id: "SS0006",
        title: "Model or block declares no layers",
        messageFormat: "{0} '{1}' declares no layers; add layer attributes after [{0}], such as [Flatten, Dense(10)]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [Model] or [Block] class needs at least one layer attribute.");

    public static readonly DiagnosticDescriptor InvalidLayerName = new(
        id: "SS0007",
        title: "Invalid or duplicate layer name",
        messageFormat: "{0} cannot be named '{1}': {2}; choose another Name",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A layer's name names its module: it must be a C# identifier, unique among the layers of its model or block; in a model it becomes a field, so it must not clash with generated, inherited or declared members either.");

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
        messageFormat: "{0}: '{1}' derives from LayerAttribute, but SharpShot has no shape rule for it; the known layers are {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Only the layer attributes SharpShot ships can be used; a custom LayerAttribute subclass has no shape rule or runtime layer.");

    public static readonly DiagnosticDescriptor NotAComposable = new(
        id: "SS0010",
        title: "Block or model does not exist",
        messageFormat: "{0}: {1} is not a class marked [{2}]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Repeat and Residual insert a class marked [Block]; Use inserts a class marked [Model]. The typeof must name such a class.");

    public static readonly DiagnosticDescriptor ContainsItself = new(
        id: "SS0011",
        title: "Block or model contains itself",
        messageFormat: "{0}: '{1}' would contain itself ({2})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A block or model cannot use itself, directly or through other blocks or models: it would be infinitely deep.");

    public static readonly DiagnosticDescriptor ResidualChangesShape = new(
        id: "SS0012",
        title: "Residual block changes the shape",
        messageFormat: "{0}: block '{1}' maps {2} to {3}, but a residual connection adds its input to its output; keep the shape, or set Projection = true",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "x + block(x) needs the block's output shape to equal its input shape, unless Projection = true adds a learned projection of x.");

    public static readonly DiagnosticDescriptor NoProjection = new(
        id: "SS0013",
        title: "Residual shortcut cannot be projected",
        messageFormat: "{0}: the shortcut cannot be projected from {1} to {3}, the output of block '{2}': {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Projection = true maps (channels, height, width) to (filters, height', width') with a strided 1x1 convolution, and (features) to (features') with a dense layer; other shape changes have no projection.");

    public static readonly DiagnosticDescriptor UsedModelInputMismatch = new(
        id: "SS0014",
        title: "Used model takes another input shape",
        messageFormat: "{0}: model '{1}' takes input {2}, but the shape here is {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[Use(typeof(M))] inserts M's layers, which were inferred for M's declared input shape: the shape where it is used must be that shape.");

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = new(
        id: "SS0015",
        title: "Groups do not divide the channels",
        messageFormat: "{0}: Groups = {1} must divide {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A grouped convolution splits the input channels and the filters into Groups equal parts, so Groups must divide both.");

    public static readonly DiagnosticDescriptor ReshapeMismatch = new(
        id: "SS0016",
        title: "Reshape changes the number of values",
        messageFormat: "{0}: cannot reshape {1} ({2} values) to {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A reshape keeps every value: the product of the target shape must equal the input's, and with one -1 the input's must be divisible by the product of the others.");

    public static readonly DiagnosticDescriptor MetaLearnerOutOfRange = new(
        id: "SS0017",
        title: "Meta-learner setting out of range",
        messageFormat: "{0}: {1} must be {2}, but is {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[MetaLearner] needs at least 2 Ways, at least 1 Shot and Query, positive InnerSteps and Steps, EvaluationInnerSteps and MetaBatch of 0 (the default) or more, positive finite learning rates, and a named MetaAlgorithm and MetaTaskKind.");

    public static readonly DiagnosticDescriptor MetaLearnerOutputMismatch = new(
        id: "SS0018",
        title: "Model output does not fit the meta-learner",
        messageFormat: "{0} classifies {1}-way episodes, so the model must output {1} logits; it outputs [{2}]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The MAML family (every MetaAlgorithm but ProtoNet) adapts the model itself to each N-way episode, so for classification the model must end in exactly Ways logits. Prototypical Networks use the model as an embedding of any shape.");

    public static readonly DiagnosticDescriptor MetaLearnerTaskNotSupported = new(
        id: "SS0019",
        title: "Algorithm does not support the task",
        messageFormat: "ProtoNet classifies by the nearest class prototype and cannot learn regression tasks; use an algorithm of the MAML family ({0}), or Task = MetaTaskKind.Classification",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Prototypical Networks classify a query by its nearest mean support embedding; regression tasks need an algorithm that adapts the model by gradient steps.");

    public static readonly DiagnosticDescriptor MetaLearnerWithoutModel = new(
        id: "SS0020",
        title: "Meta-learner on a class that is not a model",
        messageFormat: "Class '{0}' has [MetaLearner] but no [Model]; add [Model(...)] with its input shape and layers, or move [MetaLearner] to the model that should be meta-trained",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[MetaLearner] declares how a [Model] class is meta-trained; on any other class (a [Block] included) nothing would be generated for it.");

    public static readonly DiagnosticDescriptor MetaLearnerDropout = new(
        id: "SS0021",
        title: "Dropout in a MAML-family meta-learner",
        messageFormat: "{0} adapts and evaluates with training-mode forwards, so the dropout in {1} stays active in the inner loop and at evaluation; remove it, or meta-train with ProtoNet",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The MAML family runs the inner loop and evaluation with training-mode forwards, so that batch normalization uses each batch's statistics; dropout is then active there too and adds noise to adaptation and to test accuracy.");

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
        NotPartial, NeedsFlatInput, WindowTooLarge, OutOfRange, NeedsRank, NoLayers, InvalidLayerName, UnsupportedDeclaration, UnknownLayer,
        NotAComposable, ContainsItself, ResidualChangesShape, NoProjection, UsedModelInputMismatch, GroupsDoNotDivide, ReshapeMismatch,
        MetaLearnerOutOfRange, MetaLearnerOutputMismatch, MetaLearnerTaskNotSupported, MetaLearnerWithoutModel, MetaLearnerDropout,
        InternalError,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
