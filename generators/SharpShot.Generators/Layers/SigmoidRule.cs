namespace SharpShot.Generators.Layers;

/// <summary><c>[Sigmoid]</c>: 1 / (1 + e^−x).</summary>
internal sealed class SigmoidRule : ElementwiseRule
{
    public SigmoidRule()
        : base("Sigmoid")
    {
    }
}
