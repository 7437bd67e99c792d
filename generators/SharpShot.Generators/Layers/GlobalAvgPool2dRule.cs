namespace SharpShot.Generators.Layers;

/// <summary><c>[GlobalAvgPool2d]</c>: the mean of each channel over height and width, (C, H, W) → (C), as Keras's GlobalAveragePooling2D.</summary>
internal sealed class GlobalAvgPool2dRule : LayerRule
{
    public GlobalAvgPool2dRule()
        : base("GlobalAvgPool2d")
    {
    }

    public override void Apply(LayerSite layer)
    {
        if (layer.TryGetImageInput(out int channels, out _, out _))
        {
            layer.Produces(new long[] { channels });
        }
    }
}
