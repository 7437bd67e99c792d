using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Dense(units)]</c>: fully connected with bias, (n) → (units), n·units + units parameters; also the projection of
/// a residual shortcut from (n) to (m).
/// </summary>
internal sealed class DenseRule : LayerRule
{
    public DenseRule()
        : base("Dense")
    {
    }

    public override (int Rank, string Shape)? Projects => (1, "(features)");

    public override void Apply(LayerSite layer)
    {
        int units = layer.Arguments.Int("units");

        layer.RequirePositive("units", units);
        if (layer.HasErrors || !layer.TryGetVectorInput(out int features))
        {
            return;
        }

        Build(layer, features, units);
    }

    public override LayerOutput? Project(EquatableArray<int> input, EquatableArray<int> output, out string? problem)
    {
        problem = null;
        var projection = new LayerBuilder();
        Build(projection, features: input[0], units: output[0]);
        return projection.Output;
    }

    private static void Build(LayerBuilder layer, int features, int units)
    {
        layer.Parameter("weight", units, features);
        layer.Parameter("bias", units);
        layer.Produces(
            new long[] { units },
            $"inFeatures: {CSharpText.Int(features)}",
            $"units: {CSharpText.Int(units)}",
            "init");
    }
}
