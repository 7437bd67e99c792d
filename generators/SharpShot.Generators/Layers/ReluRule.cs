namespace SharpShot.Generators.Layers;

/// <summary><c>[Relu]</c>: elementwise max(x, 0); any shape, unchanged, no parameters.</summary>
internal sealed class ReluRule : LayerRule
{
    public ReluRule()
        : base("Relu")
    {
    }

    public override void Apply(LayerSite layer)
    {
        if (layer.TryGetInput(out Helpers.EquatableArray<int> input))
        {
            layer.Produces(input, parameterCount: 0);
        }
    }
}
