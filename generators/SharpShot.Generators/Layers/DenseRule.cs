namespace SharpShot.Generators.Layers;

/// <summary><c>[Dense(units)]</c>: fully connected with bias, (n) → (units), n·units + units parameters.</summary>
internal sealed class DenseRule : LayerRule
{
    public DenseRule()
        : base("Dense")
    {
    }

    public override void Apply(LayerSite layer)
    {
        int units = layer.Arguments.Int("units");

        layer.RequirePositive("units", units);
        if (layer.HasErrors || !layer.TryGetVectorInput(out int features))
        {
            return;
        }

        layer.Parameter("weight", units, features);
        layer.Parameter("bias", units);
        layer.Produces(
            new long[] { units },
            $"inFeatures: {features}",
            $"units: {units}",
            "init");
    }
}
