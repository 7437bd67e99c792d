namespace SharpShot.Generators.Layers;

/// <summary><c>[Flatten]</c>: any per-sample shape → (product of its dimensions); the batch dimension is kept.</summary>
internal sealed class FlattenRule : LayerRule
{
    public FlattenRule()
        : base("Flatten")
    {
    }

    public override void Apply(LayerSite layer)
    {
        if (!layer.TryGetInput(out Helpers.EquatableArray<int> input))
        {
            return;
        }

        long size = 1;
        foreach (int dimension in input)
        {
            size = checked(size * dimension);
        }

        layer.Produces(new[] { size });
    }
}
