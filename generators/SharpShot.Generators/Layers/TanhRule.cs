namespace SharpShot.Generators.Layers;

/// <summary><c>[Tanh]</c>: the hyperbolic tangent.</summary>
internal sealed class TanhRule : ElementwiseRule
{
    public TanhRule()
        : base("Tanh")
    {
    }
}
