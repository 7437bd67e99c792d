using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// What MaxPool2d and AvgPool2d share: <c>(kernel, Stride = kernel, Padding = 0)</c> over (C, H, W) →
/// (C, (H + 2p − k) / s + 1, (W + 2p − k) / s + 1), rounding down. Stride 0 (the attributes' default) means
/// "the kernel size": non-overlapping windows, as in Keras. Padding is at most half the kernel (PyTorch's limit).
/// </summary>
internal abstract class PoolingRule : LayerRule
{
    protected PoolingRule(string kind)
        : base(kind)
    {
    }

    public override void Apply(LayerSite layer)
    {
        int kernel = layer.Arguments.Int("kernel");
        int declaredStride = layer.Arguments.Int("Stride", 0);
        int padding = layer.Arguments.Int("Padding", 0);

        layer.RequirePositive("kernel", kernel);
        layer.RequireNonNegative("Stride", declaredStride);
        layer.RequireNonNegative("Padding", padding);
        if (kernel > 0 && padding > 0)
        {
            layer.Require(padding <= kernel / 2, "Padding", $"at most half the kernel ({CSharpText.Int(kernel / 2)})", CSharpText.Int(padding));
        }

        if (layer.HasErrors || !layer.TryGetImageInput(out int channels, out int height, out int width))
        {
            return;
        }

        int stride = declaredStride == 0 ? kernel : declaredStride;
        long paddedHeight = height + (2L * padding);
        long paddedWidth = width + (2L * padding);
        if (kernel > paddedHeight || kernel > paddedWidth)
        {
            layer.WindowTooLarge(kernel, paddedHeight, paddedWidth, padded: padding > 0);
            return;
        }

        layer.Produces(
            new[] { channels, ((paddedHeight - kernel) / stride) + 1, ((paddedWidth - kernel) / stride) + 1 },
            $"kernel: {CSharpText.Int(kernel)}",
            $"stride: {CSharpText.Int(stride)}",
            $"padding: {CSharpText.Int(padding)}");
    }
}
