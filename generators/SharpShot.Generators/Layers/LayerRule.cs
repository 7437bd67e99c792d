namespace SharpShot.Generators.Layers;

/// <summary>
/// The generator's face of one layer kind: which attribute declares it, how its arguments are read
/// and checked, its shape rule, its parameter count and how the runtime layer is constructed.
/// One subclass per kind, in a file of its own, registered in <see cref="LayerRules.All"/>.
/// </summary>
internal abstract class LayerRule
{
    protected LayerRule(string kind) => Kind = kind;

    /// <summary>The kind as users write it, e.g. Conv2d: the attribute's name without "Attribute",
    /// the type column of the summary and, lowercased, the prefix of default field names.</summary>
    public string Kind { get; }

    /// <summary>The attribute class, by the convention <c>SharpShot.{Kind}Attribute</c>.</summary>
    public virtual string AttributeMetadataName => "SharpShot." + Kind + "Attribute";

    /// <summary>The runtime layer class, by the convention <c>SharpShot.Layers.{Kind}Layer</c>.</summary>
    public virtual string RuntimeType => "global::SharpShot.Layers." + Kind + "Layer";

    /// <summary>
    /// Reads and checks the layer's arguments and, when its input shape is known and fits, states its
    /// output through <see cref="LayerSite.Produces(long[], string[])"/>. Problems are reported on <paramref name="layer"/>.
    /// </summary>
    public abstract void Apply(LayerSite layer);
}
