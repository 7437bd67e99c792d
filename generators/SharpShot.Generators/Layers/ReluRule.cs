namespace SharpShot.Generators.Layers;

/// <summary><c>[Relu]</c>: elementwise max(x, 0).</summary>
internal sealed class ReluRule : ElementwiseRule
{
    public ReluRule()
        : base("Relu")
    {
    }
}
