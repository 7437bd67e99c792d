using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// What Lstm and Gru share: <c>(units, ReturnSequences = false)</c> over a batch-first (L, F) input → (units),
/// the last step's hidden state, or (L, units) with ReturnSequences. Parameters in PyTorch's layout, G gate
/// blocks stacked: weight_ih (G·units, F), weight_hh (G·units, units), bias_ih (G·units), bias_hh (G·units).
/// </summary>
internal abstract class RecurrentRule : LayerRule
{
    private readonly int _gates;

    protected RecurrentRule(string kind, int gates)
        : base(kind)
    {
        _gates = gates;
    }

    public override void Apply(LayerSite layer)
    {
        int units = layer.Arguments.Int("units");
        bool returnSequences = layer.Arguments.Bool("ReturnSequences", false);

        layer.RequirePositive("units", units);
        if (layer.HasErrors || !layer.TryGetInput(2, "(length, features)", out EquatableArray<int> input))
        {
            return;
        }

        int length = input[0];
        int features = input[1];
        long rows = (long)_gates * units;
        layer.Parameter("weight_ih", rows, features);
        layer.Parameter("weight_hh", rows, units);
        layer.Parameter("bias_ih", rows);
        layer.Parameter("bias_hh", rows);
        layer.Produces(
            returnSequences ? new long[] { length, units } : new long[] { units },
            $"inputSize: {CSharpText.Int(features)}",
            $"units: {CSharpText.Int(units)}",
            $"returnSequences: {(returnSequences ? "true" : "false")}",
            "init");
    }
}
