using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Model;

// The pipeline models: values only (strings, numbers, equatable arrays), never symbols, syntax or
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
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string ClassName,
    string Accessibility,
    EquatableArray<int> InputShape,
    EquatableArray<LayerSpec> Layers,
    TrainingSpec Training)
{
    public EquatableArray<int> OutputShape => Layers[Layers.Count - 1].OutputShape;

    public long ParameterCount => Layers.Sum(layer => layer.ParameterCount);

    /// <summary>True when the last layer is Softmax: forward returns probabilities, Logits the values before it.</summary>
    public bool OutputsProbabilities => Layers[Layers.Count - 1].Kind == SharpShot.Generators.Layers.SoftmaxRule.KindName;

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

/// <summary>One layer with its inferred shapes, as the emitter writes it.</summary>
/// <param name="Position">1-based position among the layers.</param>
/// <param name="Kind">The layer kind, e.g. Conv2d: its attribute without the suffix.</param>
/// <param name="Name">The field name: the attribute's Name or <c>{kind}_{position}</c>.</param>
/// <param name="Declaration">The attribute as written (whitespace normalized), e.g. <c>Conv2d(32, 3)</c>.</param>
/// <param name="InputShape">Per-sample input shape.</param>
/// <param name="OutputShape">Per-sample output shape.</param>
/// <param name="ParameterCount">Trainable values, as Keras counts them.</param>
/// <param name="RuntimeType">The fully qualified runtime layer class.</param>
/// <param name="ConstructorArguments">The constructor arguments after the name, as C# source.</param>
internal sealed record LayerSpec(
    int Position,
    string Kind,
    string Name,
    string Declaration,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    long ParameterCount,
    string RuntimeType,
    EquatableArray<string> ConstructorArguments);

/// <summary>The values of [Train], emitted as the model's TrainingDefaults.</summary>
/// <param name="Optimizer">A C# expression of type OptimizerKind, e.g. <c>global::SharpShot.OptimizerKind.Adam</c>.</param>
internal sealed record TrainingSpec(int Epochs, int BatchSize, string Optimizer, double LearningRate, double Momentum, int Seed)
{
    // Must match TrainAttribute's property initializers: an absent [Train] or an unset property means these.
    public static TrainingSpec Defaults { get; } = new(10, 32, "global::SharpShot.OptimizerKind.Adam", 1e-3, 0, 42);
}
