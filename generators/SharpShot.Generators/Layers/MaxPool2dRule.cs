namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[MaxPool2d(kernel, Stride = kernel)]</c>: max over square windows,
/// (C, H, W) → (C, (H − k) / s + 1, (W − k) / s + 1). Stride 0 (the attribute's default) means "the
/// kernel size": non-overlapping windows, as in Keras.
/// </summary>
internal sealed class MaxPool2dRule : LayerRule
{
    public MaxPool2dRule()
        : base("MaxPool2d")
    {
    }

    public override void Apply(LayerSite layer)
    {
        int kernel = layer.Arguments.Int("kernel");
        int declaredStride = layer.Arguments.Int("Stride", 0);

        layer.RequirePositive("kernel", kernel);
        layer.RequireNonNegative("Stride", declaredStride);
        if (layer.HasErrors || !layer.TryGetImageInput(out int channels, out int height, out int width))
        {
            return;
        }

        int stride = declaredStride == 0 ? kernel : declaredStride;
        if (kernel > height || kernel > width)
        {
            layer.WindowTooLarge(kernel, height, width, padded: false);
            return;
        }

        layer.Produces(
            new long[] { channels, ((height - kernel) / stride) + 1, ((width - kernel) / stride) + 1 },
            parameterCount: 0,
            $"kernel: {kernel}",
            $"stride: {stride}");
    }
}
