using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary><c>[Elu(Alpha = 1.0)]</c>: x for x &gt; 0, Alpha·(e^x − 1) otherwise; Alpha finite.</summary>
internal sealed class EluRule : ElementwiseRule
{
    /// <summary>Must match EluAttribute.Alpha's initializer: PyTorch's and Keras's default.</summary>
    public const double DefaultAlpha = 1.0;

    public EluRule()
        : base("Elu")
    {
    }

    protected override string[] ReadArguments(LayerSite layer)
    {
        double alpha = layer.Arguments.Double("Alpha", DefaultAlpha);
        layer.RequireFinite("Alpha", alpha);
        return new[] { $"alpha: {CSharpText.Double(alpha)}" };
    }
}
