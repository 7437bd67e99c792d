using SharpShot.Generators.Helpers;

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
    /// True for a kind that, as the last layer, turns logits into probabilities, which cross-entropy computes from the
    /// logits itself (Softmax): the model then outputs probabilities, and its Logits leave this layer out.
    /// </summary>
    public virtual bool OutputsProbabilities => false;

    /// <summary>
    /// For a kind that can be the learned shortcut of <c>[Residual(typeof(B), Projection = true)]</c> when B changes
    /// the shape: the rank of the shapes it projects between, and how messages write such a shape, e.g.
    /// <c>(1, "(features)")</c>; null for the other kinds. See <see cref="Project"/>.
    /// </summary>
    public virtual (int Rank, string Shape)? Projects => null;

    /// <summary>
    /// Reads and checks the layer's arguments and, when its input shape is known and fits, states its
    /// output through <see cref="LayerBuilder.Produces(long[], string[])"/>. Problems are reported on <paramref name="layer"/>.
    /// </summary>
    public abstract void Apply(LayerSite layer);

    /// <summary>
    /// The layer of this kind that projects a residual shortcut from <paramref name="input"/> to <paramref name="output"/>,
    /// shapes of the rank in <see cref="Projects"/>, built by the code <see cref="Apply"/> uses; or null, with the
    /// <paramref name="problem"/> (e.g. <c>no single stride shrinks 28x28 to 26x26</c>), when this kind cannot make that change.
    /// </summary>
    public virtual LayerOutput? Project(EquatableArray<int> input, EquatableArray<int> output, out string? problem) =>
        throw new NotSupportedException($"{Kind} layers project no residual shortcuts.");
}
