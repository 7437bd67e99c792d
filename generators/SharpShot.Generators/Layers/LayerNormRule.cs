using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[LayerNorm(Epsilon = 1e-5)]</c>: normalization over the last dimension D of an input of any rank, with a
/// learned scale and shift: weight (D), bias (D); shape unchanged.
/// </summary>
internal sealed class LayerNormRule : LayerRule
{
    public LayerNormRule()
        : base("LayerNorm")
    {
    }

    public override void Apply(LayerSite layer)
    {
        double epsilon = layer.Arguments.Double("Epsilon", 1e-5);

        layer.Require(epsilon > 0 && !double.IsInfinity(epsilon), "Epsilon", "positive and finite", CSharpText.Double(epsilon));
        if (layer.HasErrors || !layer.TryGetInput(out EquatableArray<int> input))
        {
            return;
        }

        int features = input[input.Count - 1];
        layer.Parameter("weight", features);
        layer.Parameter("bias", features);
        layer.Produces(
            input,
            $"features: {CSharpText.Int(features)}",
            $"epsilon: {CSharpText.Double(epsilon)}");
    }
}
