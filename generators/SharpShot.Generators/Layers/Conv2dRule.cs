using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Conv2d(filters, kernel, Stride = 1, Padding = 0, PaddingMode = Explicit, Dilation = 1, Groups = 1)]</c>:
/// a square-kernel convolution over (C, H, W) → (filters, H′, W′). With the dilated kernel ke = d·(k − 1) + 1,
/// explicit padding gives H′ = (H + 2p − ke) / s + 1, rounding down as PyTorch does; <c>PaddingMode.Same</c>
/// gives H′ = ceil(H / s), padding the extra zero at the bottom/right. Weight (F, C/g, k, k), bias (F).
/// A strided 1×1 convolution is also the projection of a residual shortcut from (C, H, W) to (F, H′, W′).
/// </summary>
internal sealed class Conv2dRule : LayerRule
{
    public Conv2dRule()
        : base("Conv2d")
    {
    }

    public override (int Rank, string Shape)? Projects => (3, "(channels, height, width)");

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

        Build(layer, conv, channels, rows, columns);
    }

    /// <summary>
    /// A 1×1 convolution with the smallest stride s for which ⌊(H − 1)/s⌋ + 1 = H′ and ⌊(W − 1)/s⌋ + 1 = W′
    /// (s = H/H′ when that divides, as in ResNet).
    /// </summary>
    public override LayerOutput? Project(EquatableArray<int> input, EquatableArray<int> output, out string? problem)
    {
        problem = null;
        int channels = input[0], height = input[1], width = input[2];
        int outHeight = output[1], outWidth = output[2];
        if (outHeight > height || outWidth > width)
        {
            problem = "the block enlarges the height or width, and a strided 1x1 convolution can only keep or shrink them";
            return null;
        }

        // The smallest stride that shrinks each side to at most its target: if it misses one, every stride does.
        int stride = Math.Max(SmallestStride(height, outHeight), SmallestStride(width, outWidth));
        var conv = Convolution.Pointwise(filters: output[0], stride);
        if (conv.Dimension(height) is not { } rows || conv.Dimension(width) is not { } columns || rows.Output != outHeight || columns.Output != outWidth)
        {
            problem = $"no single stride shrinks {CSharpText.Int(height)}x{CSharpText.Int(width)} to {CSharpText.Int(outHeight)}x{CSharpText.Int(outWidth)}";
            return null;
        }

        var projection = new LayerBuilder();
        Build(projection, conv, channels, rows, columns);
        return projection.Output;
    }

    private static void Build(LayerBuilder layer, Convolution conv, int channels, Convolution.Side rows, Convolution.Side columns)
    {
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

    /// <summary>The smallest stride that shrinks <paramref name="size"/> to at most <paramref name="target"/> (≥ 1).</summary>
    private static int SmallestStride(int size, int target) => ((size - 1) / target) + 1;
}
