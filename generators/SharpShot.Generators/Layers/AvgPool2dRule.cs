namespace SharpShot.Generators.Layers;

/// <summary><c>[AvgPool2d(kernel, Stride = kernel, Padding = 0)]</c>: the mean of each window, padded zeros included (PyTorch's default). Shape rule: <see cref="PoolingRule"/>.</summary>
internal sealed class AvgPool2dRule : PoolingRule
{
    public AvgPool2dRule()
        : base("AvgPool2d")
    {
    }
}
