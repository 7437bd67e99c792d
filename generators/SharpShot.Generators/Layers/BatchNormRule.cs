using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// What BatchNorm1d and BatchNorm2d share: <c>Momentum</c> in [0, 1] (PyTorch's convention: the weight of the
/// new batch), <c>Epsilon</c> positive; shape unchanged; over the C channels (dimension 0 of a sample): weight (C)
/// and bias (C) trained, running mean and variance (2·C values) saved but not trained. Both construct a
/// <c>BatchNormLayer</c>.
/// </summary>
internal abstract class BatchNormRule : LayerRule
{
    protected BatchNormRule(string kind)
        : base(kind)
    {
    }

    public override string RuntimeType => "global::SharpShot.Layers.BatchNormLayer";

    public override void Apply(LayerSite layer)
    {
        double momentum = layer.Arguments.Double("Momentum", 0.1);
        double epsilon = layer.Arguments.Double("Epsilon", 1e-5);

        // Written so that NaN fails too.
        layer.Require(momentum >= 0 && momentum <= 1, "Momentum", "in [0, 1]", CSharpText.Double(momentum));
        layer.Require(epsilon > 0 && !double.IsInfinity(epsilon), "Epsilon", "positive and finite", CSharpText.Double(epsilon));
        if (layer.HasErrors || !layer.TryGetInput(out EquatableArray<int> input))
        {
            return;
        }

        if (!Accepts(input.Count))
        {
            layer.NeedsRank(InputDescription);
            return;
        }

        int channels = input[0];
        layer.Parameter("weight", channels);
        layer.Parameter("bias", channels);
        layer.NonTrainable(2L * channels);
        layer.Produces(
            input,
            $"features: {CSharpText.Int(channels)}",
            $"momentum: {CSharpText.Double(momentum)}",
            $"epsilon: {CSharpText.Double(epsilon)}");
    }

    /// <summary>The input as SS0005 describes it.</summary>
    protected abstract string InputDescription { get; }

    /// <summary>Whether a per-sample input of <paramref name="rank"/> dimensions fits.</summary>
    protected abstract bool Accepts(int rank);
}
