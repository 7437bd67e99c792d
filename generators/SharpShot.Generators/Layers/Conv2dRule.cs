namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Conv2d(filters, kernel, Stride = 1, Padding = 0)]</c>: a square-kernel convolution over
/// (C, H, W) → (filters, (H + 2p − k) / s + 1, (W + 2p − k) / s + 1), rounding down as PyTorch does.
/// </summary>
internal sealed class Conv2dRule : LayerRule
{
    public Conv2dRule()
        : base("Conv2d")
    {
    }

    public override void Apply(LayerSite layer)
    {
        int filters = layer.Arguments.Int("filters");
        int kernel = layer.Arguments.Int("kernel");
        int stride = layer.Arguments.Int("Stride", 1);
        int padding = layer.Arguments.Int("Padding", 0);

        layer.RequirePositive("filters", filters);
        layer.RequirePositive("kernel", kernel);
        layer.RequirePositive("Stride", stride);
        layer.RequireNonNegative("Padding", padding);
        if (layer.HasErrors || !layer.TryGetImageInput(out int channels, out int height, out int width))
        {
            return;
        }

        long paddedHeight = height + (2L * padding);
        long paddedWidth = width + (2L * padding);
        if (kernel > paddedHeight || kernel > paddedWidth)
        {
            layer.WindowTooLarge(kernel, paddedHeight, paddedWidth, padded: padding > 0);
            return;
        }

        layer.Produces(
            new[] { filters, ((paddedHeight - kernel) / stride) + 1, ((paddedWidth - kernel) / stride) + 1 },
            parameterCount: checked(((long)filters * channels * kernel * kernel) + filters),
            $"inChannels: {channels}",
            $"filters: {filters}",
            $"kernel: {kernel}",
            $"stride: {stride}",
            $"padding: {padding}",
            "init");
    }
}
