using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary><c>[LeakyRelu(Slope = 0.01)]</c>: x for x ≥ 0, Slope·x below; Slope finite.</summary>
internal sealed class LeakyReluRule : ElementwiseRule
{
    /// <summary>Must match LeakyReluAttribute.Slope's initializer: PyTorch's default negative slope.</summary>
    public const double DefaultSlope = 0.01;

    public LeakyReluRule()
        : base("LeakyRelu")
    {
    }

    protected override string[] ReadArguments(LayerSite layer)
    {
        double slope = layer.Arguments.Double("Slope", DefaultSlope);
        layer.RequireFinite("Slope", slope);
        return new[] { $"slope: {CSharpText.Double(slope)}" };
    }
}
