using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary><c>[Dropout(rate)]</c>: zeroes values with probability rate while training; shape unchanged, no parameters.</summary>
internal sealed class DropoutRule : LayerRule
{
    public const string KindName = "Dropout";

    public DropoutRule()
        : base(KindName)
    {
    }

    public override void Apply(LayerSite layer)
    {
        double rate = layer.Arguments.Double("rate");

        // Written so that NaN fails too; a rate of 1 would drop everything and scale by 1/0.
        layer.Require(rate >= 0 && rate < 1, "rate", "in [0, 1)", CSharpText.Double(rate));
        if (layer.HasErrors || !layer.TryGetInput(out EquatableArray<int> input))
        {
            return;
        }

        layer.Produces(input, $"rate: {CSharpText.Double(rate)}");
    }
}
