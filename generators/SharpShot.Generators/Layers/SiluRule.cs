namespace SharpShot.Generators.Layers;

/// <summary><c>[Silu]</c>: x·sigmoid(x) (swish).</summary>
internal sealed class SiluRule : ElementwiseRule
{
    public SiluRule()
        : base("Silu")
    {
    }
}
