using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Conv1d(filters, kernel, Stride = 1, Padding = 0, PaddingMode = Explicit, Dilation = 1, Groups = 1)]</c>:
/// a convolution over (C, L) → (filters, L′), with Conv2d's size rule along the length.
/// Weight (F, C/g, k), bias (F).
/// </summary>
internal sealed class Conv1dRule : LayerRule
{
    public Conv1dRule()
        : base("Conv1d")
    {
    }

    public override void Apply(LayerSite layer)
    {
        if (Convolution.Read(layer) is not { } conv
            || !layer.TryGetInput(2, "(channels, length)", out EquatableArray<int> input)
            || !conv.CheckChannels(layer, input[0], input))
        {
            return;
        }

        int channels = input[0];
        int length = input[1];
        if (conv.Dimension(length) is not { } steps)
        {
            string padded = conv.Padding > 0 ? " padded" : string.Empty;
            layer.WindowTooLarge(conv.Window(1), $"{CSharpText.Int(length + (2L * conv.Padding))}-long{padded}");
            return;
        }

        if (!Convolution.CheckPadding(layer, steps))
        {
            return;
        }

        layer.Parameter("weight", conv.Filters, channels / conv.Groups, conv.Kernel);
        layer.Parameter("bias", conv.Filters);
        layer.Produces(
            new[] { conv.Filters, steps.Output },
            $"inChannels: {CSharpText.Int(channels)}",
            $"filters: {CSharpText.Int(conv.Filters)}",
            $"kernel: {CSharpText.Int(conv.Kernel)}",
            $"stride: {CSharpText.Int(conv.Stride)}",
            $"padding: new global::SharpShot.Layers.Padding1d({CSharpText.Int(steps.Before)}, {CSharpText.Int(steps.After)})",
            $"dilation: {CSharpText.Int(conv.Dilation)}",
            $"groups: {CSharpText.Int(conv.Groups)}",
            "init");
    }
}
