using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Layers;

/// <summary>
/// What Conv1d and Conv2d share: their options (Stride, Padding, PaddingMode, Dilation, Groups), their
/// checks, and the size rule of one spatial dimension, explicit or "same".
/// </summary>
internal sealed class Convolution
{
    // SharpShot.PaddingMode's values.
    private const int ExplicitMode = 0;
    private const int SameMode = 1;

    private Convolution(int filters, int kernel, int stride, int padding, bool same, int dilation, int groups)
    {
        Filters = filters;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        Same = same;
        Dilation = dilation;
        Groups = groups;
    }

    public int Filters { get; }

    public int Kernel { get; }

    public int Stride { get; }

    /// <summary>The explicit padding on every side (ignored when <see cref="Same"/>).</summary>
    public int Padding { get; }

    /// <summary>True for <c>PaddingMode.Same</c>: output = ceil(input / stride).</summary>
    public bool Same { get; }

    public int Dilation { get; }

    public int Groups { get; }

    /// <summary>The span of the dilated kernel: d·(k − 1) + 1.</summary>
    public long EffectiveKernel => ((long)Dilation * (Kernel - 1)) + 1;

    /// <summary>The window as messages show it, e.g. <c>5x5 dilated</c> for <paramref name="dimensions"/> = 2.</summary>
    public string Window(int dimensions) =>
        (dimensions == 2 ? CSharpText.Int(EffectiveKernel) + "x" + CSharpText.Int(EffectiveKernel) : CSharpText.Int(EffectiveKernel) + "-wide")
        + (Dilation > 1 ? " dilated" : string.Empty);

    /// <summary>Reads and checks the arguments (SS0004, and SS0015 when Groups does not divide the filters); null after a problem.</summary>
    public static Convolution? Read(LayerSite layer)
    {
        int filters = layer.Arguments.Int("filters");
        int kernel = layer.Arguments.Int("kernel");
        int stride = layer.Arguments.Int("Stride", 1);
        int padding = layer.Arguments.Int("Padding", 0);
        int mode = layer.Arguments.Int("PaddingMode", ExplicitMode);
        int dilation = layer.Arguments.Int("Dilation", 1);
        int groups = layer.Arguments.Int("Groups", 1);

        layer.RequirePositive("filters", filters);
        layer.RequirePositive("kernel", kernel);
        layer.RequirePositive("Stride", stride);
        layer.RequireNonNegative("Padding", padding);
        layer.Require(mode is ExplicitMode or SameMode, "PaddingMode", "a named PaddingMode", CSharpText.Int(mode));
        layer.RequirePositive("Dilation", dilation);
        layer.RequirePositive("Groups", groups);
        if (!layer.HasErrors && filters % groups != 0)
        {
            layer.GroupsDoNotDivide(groups, $"the filters ({CSharpText.Int(filters)})");
        }

        return layer.HasErrors ? null : new Convolution(filters, kernel, stride, padding, mode == SameMode, dilation, groups);
    }

    /// <summary>A 1×1 convolution to <paramref name="filters"/> channels with <paramref name="stride"/>: unpadded, undilated, ungrouped.</summary>
    public static Convolution Pointwise(int filters, int stride) => new(filters, kernel: 1, stride, padding: 0, same: false, dilation: 1, groups: 1);

    /// <summary>Reports SS0015 unless <see cref="Groups"/> divides the input's <paramref name="channels"/>.</summary>
    public bool CheckChannels(LayerSite layer, int channels, EquatableArray<int> input)
    {
        if (channels % Groups == 0)
        {
            return true;
        }

        layer.GroupsDoNotDivide(Groups, $"the input channels of {Shapes.Format(input)}");
        return false;
    }

    /// <summary>
    /// One spatial dimension of <paramref name="size"/>: its output size and the zeros added before and after it,
    /// or null when the window does not fit (explicit padding only; "same" always fits).
    /// Explicit: (size + 2p − ke) / s + 1, rounded down. Same: ceil(size / s), padded by max((out − 1)·s + ke − size, 0)
    /// split with the extra one at the end, as Keras and ONNX SAME_UPPER do.
    /// </summary>
    public Side? Dimension(long size)
    {
        if (!Same)
        {
            long padded = size + (2L * Padding);
            return EffectiveKernel > padded ? null : new Side(((padded - EffectiveKernel) / Stride) + 1, Padding, Padding);
        }

        long output = (size + Stride - 1) / Stride;
        long total = Math.Max(((output - 1) * Stride) + EffectiveKernel - size, 0);
        return new Side(output, total / 2, total - (total / 2));
    }

    /// <summary>Reports SS0004 when "same" padding needs more zeros on a side than an int holds.</summary>
    public static bool CheckPadding(LayerSite layer, params Side[] sides)
    {
        long most = sides.Max(side => Math.Max(side.Before, side.After));
        layer.Require(most <= int.MaxValue, "the padding", $"at most {CSharpText.Int(int.MaxValue)}", CSharpText.Int(most));
        return !layer.HasErrors;
    }

    /// <summary>One spatial dimension's output size and padding.</summary>
    public readonly record struct Side(long Output, long Before, long After);
}
