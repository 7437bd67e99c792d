using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[ConvTranspose2d(filters, kernel, Stride = 1, Padding = 0, OutputPadding = 0)]</c>: the transposed
/// convolution over (C, H, W) → (filters, (H − 1)·s − 2p + k + op, (W − 1)·s − 2p + k + op), as in PyTorch;
/// OutputPadding must be less than Stride. Weight (C, F, k, k) in PyTorch's layout, bias (F).
/// </summary>
internal sealed class ConvTranspose2dRule : LayerRule
{
    public ConvTranspose2dRule()
        : base("ConvTranspose2d")
    {
    }

    public override void Apply(LayerSite layer)
    {
        int filters = layer.Arguments.Int("filters");
        int kernel = layer.Arguments.Int("kernel");
        int stride = layer.Arguments.Int("Stride", 1);
        int padding = layer.Arguments.Int("Padding", 0);
        int outputPadding = layer.Arguments.Int("OutputPadding", 0);

        layer.RequirePositive("filters", filters);
        layer.RequirePositive("kernel", kernel);
        layer.RequirePositive("Stride", stride);
        layer.RequireNonNegative("Padding", padding);
        layer.RequireNonNegative("OutputPadding", outputPadding);
        if (stride > 0)
        {
            layer.Require(outputPadding < stride, "OutputPadding", $"less than Stride ({CSharpText.Int(stride)})", CSharpText.Int(outputPadding));
        }

        if (layer.HasErrors || !layer.TryGetImageInput(out int channels, out int height, out int width))
        {
            return;
        }

        long Size(int size) => ((size - 1L) * stride) - (2L * padding) + kernel + outputPadding;

        layer.Parameter("weight", channels, filters, kernel, kernel);
        layer.Parameter("bias", filters);
        layer.Produces(
            new[] { filters, Size(height), Size(width) },
            $"inChannels: {CSharpText.Int(channels)}",
            $"filters: {CSharpText.Int(filters)}",
            $"kernel: {CSharpText.Int(kernel)}",
            $"stride: {CSharpText.Int(stride)}",
            $"padding: {CSharpText.Int(padding)}",
            $"outputPadding: {CSharpText.Int(outputPadding)}",
            "init");
    }
}
