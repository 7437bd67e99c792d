namespace SharpShot.Generators.Layers;

/// <summary><c>[MaxPool2d(kernel, Stride = kernel, Padding = 0)]</c>: the maximum of each window; padding never wins. Shape rule: <see cref="PoolingRule"/>.</summary>
internal sealed class MaxPool2dRule : PoolingRule
{
    public MaxPool2dRule()
        : base("MaxPool2d")
    {
    }
}
