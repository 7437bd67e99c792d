using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Conv2d(filters, kernel, Stride = 1, Padding = 0, PaddingMode = Explicit, Dilation = 1, Groups = 1)]</c>:
/// a square-kernel convolution over (C, H, W) → (filters, H′, W′). With the dilated kernel ke = d·(k − 1) + 1,
/// explicit padding gives H′ = (H + 2p − ke) / s + 1, rounding down as PyTorch does; <c>PaddingMode.Same</c>
/// gives H′ = ceil(H / s), padding the extra zero at the bottom/right. Weight (F, C/g, k, k), bias (F).
/// </summary>
internal sealed class Conv2dRule : LayerRule
{
    public Conv2dRule()
        : base("Conv2d")
    {
    }

    public override void Apply(LayerSite layer)
    {
        if (Convolution.Read(layer) is not { } conv
            || !layer.TryGetImageInput(out int channels, out int height, out int width)
            || !layer.TryGetInput(out EquatableArray<int> input)
            || !conv.CheckChannels(layer, channels, input))
        {
            return;
        }

        if (conv.Dimension(height) is not { } rows || conv.Dimension(width) is not { } columns)
        {
            string padded = conv.Padding > 0 ? " padded" : string.Empty;
            layer.WindowTooLarge(conv.Window(2), $"{CSharpText.Int(height + (2L * conv.Padding))}x{CSharpText.Int(width + (2L * conv.Padding))}{padded}");
            return;
        }

        if (!Convolution.CheckPadding(layer, rows, columns))
        {
            return;
        }

        layer.Parameter("weight", conv.Filters, channels / conv.Groups, conv.Kernel, conv.Kernel);
        layer.Parameter("bias", conv.Filters);
        layer.Produces(
            new[] { conv.Filters, rows.Output, columns.Output },
            $"inChannels: {CSharpText.Int(channels)}",
            $"filters: {CSharpText.Int(conv.Filters)}",
            $"kernel: {CSharpText.Int(conv.Kernel)}",
            $"stride: {CSharpText.Int(conv.Stride)}",
            $"padding: new global::SharpShot.Layers.Padding2d({CSharpText.Int(rows.Before)}, {CSharpText.Int(rows.After)}, {CSharpText.Int(columns.Before)}, {CSharpText.Int(columns.After)})",
            $"dilation: {CSharpText.Int(conv.Dilation)}",
            $"groups: {CSharpText.Int(conv.Groups)}",
            "init");
    }
}
