namespace SharpShot.Generators.Layers;

/// <summary>
/// An activation applied value by value (or, for Softmax and LogSoftmax, along the last dimension): any input,
/// shape unchanged, no parameters. Subclasses with options check them and pass them to the runtime layer.
/// </summary>
internal abstract class ElementwiseRule : LayerRule
{
    protected ElementwiseRule(string kind)
        : base(kind)
    {
    }

    public override void Apply(LayerSite layer)
    {
        string[] arguments = ReadArguments(layer);
        if (!layer.HasErrors && layer.TryGetInput(out Helpers.EquatableArray<int> input))
        {
            layer.Produces(input, arguments);
        }
    }

    /// <summary>Reads and checks the options; returns the runtime constructor's arguments after the name.</summary>
    protected virtual string[] ReadArguments(LayerSite layer) => Array.Empty<string>();
}
