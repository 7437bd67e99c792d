using SharpShot.Generators.Helpers;
using SharpShot.Generators.Layers;
using SharpShot.Generators.Settings;

namespace SharpShot.Generators.Model;

// The pipeline models: values only (strings, numbers, enums, equatable arrays), never symbols, syntax or
// locations, so that an edit which does not change a model leaves the generated file cached.

/// <summary>What the parser found for one [Model] class: the model to emit (null when it has errors) and the diagnostics to report.</summary>
internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public static ParseResult Nothing { get; } = new(null, EquatableArray<DiagnosticInfo>.Empty);
}

/// <summary>A [Model] class whose every layer has a known shape: everything the emitter writes.</summary>
/// <param name="Namespace">The class's namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">The types the class is nested in, outermost first.</param>
/// <param name="ClassName">The class's name.</param>
/// <param name="Accessibility">The C# accessibility modifier the user declared (or that applies by default).</param>
/// <param name="InputShape">Shape of one input sample, without the batch dimension.</param>
/// <param name="Layers">The layers in source order.</param>
/// <param name="Training">The [Train] values, or the attribute's defaults.</param>
/// <param name="MetaLearning">The [MetaLearner] values, or null when the class has no [MetaLearner] (and gets no meta-learning members).</param>
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string ClassName,
    string Accessibility,
    EquatableArray<int> InputShape,
    EquatableArray<LayerSpec> Layers,
    TrainingSpec Training,
    MetaLearningSpec? MetaLearning = null)
{
    public EquatableArray<int> OutputShape => Layers[Layers.Count - 1].OutputShape;

    public long ParameterCount => Layers.Sum(layer => layer.ParameterCount);

    /// <summary>Values saved but not trained, such as BatchNorm's running statistics: Keras's "Non-trainable params".</summary>
    public long NonTrainableCount => Layers.Sum(layer => layer.NonTrainableCount);

    /// <summary>
    /// The last layer when its kind turns logits into probabilities (Softmax), null otherwise: forward then returns
    /// probabilities, and Logits the values before it, which training gives cross-entropy.
    /// </summary>
    public LayerSpec? ProbabilityLayer =>
        Layers[Layers.Count - 1] is { Structure: LayerStructure.Layer } last && LayerRules.ForKind(last.Kind) is { OutputsProbabilities: true } ? last : null;

    /// <summary>True when forward returns probabilities: the model ends in a <see cref="ProbabilityLayer"/>.</summary>
    public bool OutputsProbabilities => ProbabilityLayer is not null;

    /// <summary>The layers Logits runs: all but a final <see cref="ProbabilityLayer"/>.</summary>
    public IReadOnlyList<LayerSpec> LogitLayers => OutputsProbabilities ? Layers.Take(Layers.Count - 1).ToList() : Layers;

    /// <summary>
    /// <c>{Namespace}.{Class}.g.cs</c>, with <c>+</c> before a nested class as in metadata names
    /// (<c>Demo.Outer+Inner.g.cs</c>), so that no two models share a name: generic classes are rejected.
    /// </summary>
    public string HintName
    {
        get
        {
            string typeName = string.Join("+", ContainingTypes.Select(type => type.Name).Concat(new[] { ClassName }));
            return (Namespace is null ? typeName : Namespace + "." + typeName) + ".g.cs";
        }
    }
}

/// <summary>A type a model class is nested in, re-declared as partial around the generated class.</summary>
/// <param name="Keyword">class, struct, interface, record or record struct.</param>
/// <param name="Name">The type's name (never generic: nesting in a generic type is rejected).</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>How a layer is built: a runtime layer of its own, or a container of other layers.</summary>
internal enum LayerStructure
{
    /// <summary>One runtime layer (Conv2dLayer, DenseLayer, …), constructed from <see cref="LayerSpec.ConstructorArguments"/>.</summary>
    Layer,

    /// <summary>A <c>BlockLayer</c>: the <see cref="LayerSpec.Children"/> run one after another (a [Block] use, a [Use]d model).</summary>
    Block,

    /// <summary>A <c>ResidualLayer</c>: <see cref="LayerSpec.Children"/> holds the body (a block) and, when the shape changes, the projection.</summary>
    Residual,
}

/// <summary>One layer with its inferred shapes, as the emitter writes it; composed layers hold their inner layers.</summary>
/// <param name="Position">1-based position among the attributes of the model or block that declares it (the repetitions of a Repeat share one).</param>
/// <param name="Kind">The layer kind, e.g. Conv2d; for a composed layer the block's or model's class name, or Residual.</param>
/// <param name="Name">The module name: the field name at the top level, the name a container registers it under inside one.</param>
/// <param name="Declaration">The attribute as written (whitespace normalized), e.g. <c>Conv2d(32, 3)</c>.</param>
/// <param name="Detail">What part of the declaration this is when it is not all of it, e.g. <c>repetition 2 of 4</c>; null otherwise.</param>
/// <param name="InputShape">Per-sample input shape.</param>
/// <param name="OutputShape">Per-sample output shape.</param>
/// <param name="Parameters">The layer's own trainable parameters in functional-forward order (none for a container).</param>
/// <param name="NonTrainableValues">The layer's own values that are saved but not trained, such as BatchNorm's running statistics.</param>
/// <param name="RuntimeType">The fully qualified runtime layer class.</param>
/// <param name="ConstructorArguments">The constructor arguments after the name, as C# source (none for a container).</param>
/// <param name="Structure">Whether it is a layer of its own or a container.</param>
/// <param name="Children">A container's layers, in order.</param>
/// <remarks>Build one with <see cref="Leaf"/>, <see cref="Block"/> or <see cref="Residual"/>.</remarks>
internal sealed record LayerSpec(
    int Position,
    string Kind,
    string Name,
    string Declaration,
    string? Detail,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    EquatableArray<ParameterSpec> Parameters,
    long NonTrainableValues,
    string RuntimeType,
    EquatableArray<string> ConstructorArguments,
    LayerStructure Structure,
    EquatableArray<LayerSpec> Children)
{
    /// <summary>The kind of a residual connection, and (lowercased) the prefix of its default name.</summary>
    public const string ResidualKind = "Residual";

    private const string BlockLayerType = "global::SharpShot.Layers.BlockLayer";
    private const string ResidualLayerType = "global::SharpShot.Layers.ResidualLayer";

    /// <summary>A runtime layer of its own: <paramref name="rule"/>'s kind and runtime class, with what the rule produced for <paramref name="input"/>.</summary>
    public static LayerSpec Leaf(LayerRule rule, int position, string name, string declaration, string? detail, EquatableArray<int> input, LayerOutput output) =>
        new(position, rule.Kind, name, declaration, detail, input, output.Shape, output.Parameters, output.NonTrainableValues,
            rule.RuntimeType, output.ConstructorArguments, LayerStructure.Layer, EquatableArray<LayerSpec>.Empty);

    /// <summary>
    /// A <c>BlockLayer</c> running <paramref name="children"/> (not empty) one after another: a block where it is
    /// inserted, or a used model. Its kind is the class's name; its output, its last layer's.
    /// </summary>
    public static LayerSpec Block(int position, string kind, string name, string declaration, string? detail, EquatableArray<int> input, EquatableArray<LayerSpec> children) =>
        new(position, kind, name, declaration, detail, input, children[children.Count - 1].OutputShape, EquatableArray<ParameterSpec>.Empty, 0,
            BlockLayerType, EquatableArray<string>.Empty, LayerStructure.Block, children);

    /// <summary>A <c>ResidualLayer</c>: body(x) + x, or body(x) + projection(x) when the body changes the shape.</summary>
    public static LayerSpec Residual(int position, string name, string declaration, LayerSpec body, LayerSpec? projection) =>
        new(position, ResidualKind, name, declaration, null, body.InputShape, body.OutputShape, EquatableArray<ParameterSpec>.Empty, 0,
            ResidualLayerType, EquatableArray<string>.Empty, LayerStructure.Residual, projection is null ? EquatableArray.Of(body) : EquatableArray.Of(body, projection));

    /// <summary>Trainable values, its own and its children's, as Keras counts them.</summary>
    public long ParameterCount => Parameters.Sum(parameter => parameter.Size) + Children.Sum(child => child.ParameterCount);

    /// <summary>Values saved with the layer but not trained (BatchNorm's running mean and variance), its own and its children's.</summary>
    public long NonTrainableCount => NonTrainableValues + Children.Sum(child => child.NonTrainableCount);
}

/// <summary>One trainable parameter of a layer.</summary>
/// <param name="Name">Its name within the layer, e.g. <c>weight</c>.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Size">The product of <paramref name="Shape"/>.</param>
internal sealed record ParameterSpec(string Name, EquatableArray<long> Shape, long Size);

/// <summary>The values of [Train], emitted as the model's TrainingDefaults.</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Samples per optimizer step.</param>
/// <param name="Optimizer">The optimizer.</param>
/// <param name="LearningRate">The optimizer's learning rate.</param>
/// <param name="Momentum">Momentum for SGD.</param>
/// <param name="Seed">Seed for initialization, shuffling and dropout.</param>
/// <param name="NonFiniteSteps">What a step with a NaN or infinite loss or gradient does.</param>
internal sealed record TrainingSpec(int Epochs, int BatchSize, OptimizerKind Optimizer, double LearningRate, double Momentum, int Seed, NonFiniteSteps NonFiniteSteps)
{
    /// <summary>What an absent [Train], or an unset property of one, means: the runtime's defaults.</summary>
    public static TrainingSpec Default { get; } = new(
        Defaults.Training.Epochs, Defaults.Training.BatchSize, Defaults.Training.Optimizer, Defaults.Training.LearningRate, Defaults.Training.Momentum, Defaults.Training.Seed,
        Defaults.Training.NonFiniteSteps);
}

/// <summary>The values of [MetaLearner], emitted as the model's MetaLearningDefaults.</summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Task">Classification or regression.</param>
/// <param name="Ways">Classes per episode.</param>
/// <param name="Shots">Support samples per class (per task for regression).</param>
/// <param name="Queries">Query samples per class (per task for regression).</param>
/// <param name="InnerSteps">Inner-loop gradient steps in meta-training.</param>
/// <param name="EvaluationInnerSteps">Inner-loop steps at test time; 0 means <paramref name="InnerSteps"/> (emitted as null).</param>
/// <param name="InnerLearningRate">The inner loop's learning rate.</param>
/// <param name="MetaBatch">Episodes per meta-update; 0 means the algorithm's default (emitted as null).</param>
/// <param name="MetaLearningRate">The outer (Adam) learning rate, MetaLearnerOptions.LearningRate.</param>
/// <param name="Steps">Meta-updates.</param>
/// <param name="Seed">Seed of the episodes and of any randomness in the model.</param>
/// <param name="MultiStepLoss">Meta-train on the mean query loss over the inner steps (MAML family).</param>
/// <param name="MultiStepLossWeights">The weights of that mean, one per inner step; empty for equal weights.</param>
/// <param name="NonFiniteSteps">What a meta-training step with a NaN or infinite loss or gradient does.</param>
internal sealed record MetaLearningSpec(
    MetaAlgorithm Algorithm,
    MetaTaskKind Task,
    int Ways,
    int Shots,
    int Queries,
    int InnerSteps,
    int EvaluationInnerSteps,
    double InnerLearningRate,
    int MetaBatch,
    double MetaLearningRate,
    int Steps,
    int Seed,
    bool MultiStepLoss,
    EquatableArray<double> MultiStepLossWeights,
    NonFiniteSteps NonFiniteSteps)
{
    /// <summary>What the algorithm can do.</summary>
    public MetaAlgorithmTraits Traits => MetaAlgorithmTraits.Of(Algorithm);
}
