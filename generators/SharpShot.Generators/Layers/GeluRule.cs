namespace SharpShot.Generators.Layers;

/// <summary><c>[Gelu]</c>: the exact (erf) GELU, 0.5·x·(1 + erf(x/√2)).</summary>
internal sealed class GeluRule : ElementwiseRule
{
    public GeluRule()
        : base("Gelu")
    {
    }
}
