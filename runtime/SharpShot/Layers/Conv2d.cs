using SharpShot.Native;
using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// 2-D convolution over (N, C, H, W) with a square kernel, the same stride and dilation in both directions,
/// optional groups (depthwise when groups = channels) and a bias. Asymmetric padding (what "same" needs with an
/// even kernel or a stride above 1) is applied as explicit zero padding before the convolution.
/// </summary>
public sealed class Conv2dLayer : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long[] _strides;
    private readonly long[] _dilation;

    /// <summary>Creates the layer with symmetric zero padding, no dilation and one group.</summary>
    public Conv2dLayer(string name, int inChannels, int filters, int kernel, int stride, int padding, LayerInit init)
        : this(name, inChannels, filters, kernel, stride, Padding2d.Symmetric(padding), 1, 1, init)
    {
    }

    /// <summary>Creates the layer with Glorot-uniform weights (F, C/groups, k, k) and zero bias (F).</summary>
    /// <exception cref="ArgumentException">The channels or filters are not divisible by <paramref name="groups"/>, or a size is out of range.</exception>
    public Conv2dLayer(string name, int inChannels, int filters, int kernel, int stride, Padding2d padding, int dilation, int groups, LayerInit init)
        : base(name)
    {
        ConvChecks.Validate(name, inChannels, filters, kernel, stride, dilation, groups);
        ConvChecks.ValidatePadding(name, padding.Top, padding.Bottom, padding.Left, padding.Right);
        ArgumentNullException.ThrowIfNull(init);
        long receptive = (long)kernel * kernel;
        weight = new Parameter(init.GlorotUniform(
            [filters, inChannels / groups, kernel, kernel], inChannels / groups * receptive, filters / groups * receptive));
        bias = new Parameter(LayerInit.Zeros(filters));
        Kernel = kernel;
        Padding = padding;
        Groups = groups;
        _strides = [stride, stride];
        _dilation = [dilation, dilation];
        RegisterComponents();
    }

    /// <summary>Kernel weights, shape (filters, in channels / groups, kernel, kernel).</summary>
    public Parameter Weight => weight;

    /// <summary>Bias, shape (filters).</summary>
    public Parameter Bias => bias;

    /// <summary>Side of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>Zeros added on each side of the input.</summary>
    public Padding2d Padding { get; }

    /// <summary>Number of channel groups (1: dense convolution; the input channels: depthwise).</summary>
    public int Groups { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight, bias];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        Tensor w = Take(parameters, "weight", weight);
        Tensor b = Take(parameters, "bias", bias);
        long[] padding = [Padding.Top, Padding.Left];
        if (!Padding.IsSymmetric)
        {
            x = nn.functional.pad(x, [Padding.Left, Padding.Right, Padding.Top, Padding.Bottom]);
            padding = [0, 0];
        }

        // With oneDNN off, NHWC is faster on small, many-channel maps; same values (see ChannelsLastConvolution).
        if (ChannelsLastConvolution.Applies(x, Kernel, _strides[0], padding, _dilation[0], Groups))
        {
            return ChannelsLastConvolution.Conv2d(x, w, b, _strides, padding);
        }

        return ConvolutionGuard.Run("conv2d", x, w, b, $"stride {_strides[0]} padding {padding[0]},{padding[1]} dilation {_dilation[0]} groups {Groups}",
            (input, kernel, shift) => nn.functional.conv2d(input, kernel, shift, strides: _strides, padding: padding, dilation: _dilation, groups: Groups));
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string w = AddWeight(context, "weight", weight);
        string b = AddWeight(context, "bias", bias);
        return graph.AddNode("Conv", [input, w, b], PathIn(context),
            OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
            OnnxAttribute.Ints("strides", _strides),
            OnnxAttribute.Ints("pads", Padding.Top, Padding.Left, Padding.Bottom, Padding.Right),
            OnnxAttribute.Ints("dilations", _dilation),
            OnnxAttribute.Int("group", Groups));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Backward: ∂b sums ∂y over N, H, W; ∂W, for a dense stride-1 convolution, is one matrix product of ∂y with the
    /// padded input's shifted windows, and otherwise the correlation of the (zero-padded) input with ∂y — one grouped
    /// convolution whose batch is the input channels of a group, whose channels are (group, sample) pairs, with the
    /// forward's stride as dilation and its dilation as stride, cut to the kernel; ∂x is the transposed convolution of ∂y
    /// with W — at stride 1 with the forward's padding, which gives the input's size; otherwise padded to the padded
    /// input's size (rows the stride never reached get 0) and cut back to the input.
    /// </remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        var (wi, w) = TakeWeight(context, "weight", weight);
        var (bi, b) = TakeWeight(context, "bias", bias);
        string name = GetName();
        bool padded = Padding != default(Padding2d);
        OnnxAttribute pads = OnnxAttribute.Ints("pads", Padding.Top, Padding.Left, Padding.Bottom, Padding.Right);
        string output = context.Node("Conv", name, [input, w, b],
            OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
            OnnxAttribute.Ints("strides", _strides),
            pads,
            OnnxAttribute.Ints("dilations", _dilation),
            OnnxAttribute.Int("group", Groups));
        return new DifferentiableOutput(output, (gradient, needed) =>
        {
            context.AddGradient(bi, context.ReduceSum($"{name}_grad_bias", gradient, keepDims: false, 0, 2, 3));
            context.AddGradient(wi, WeightGradient(context, name, input, gradient, pads));
            if (!needed)
            {
                return null;
            }

            if (_strides[0] == 1)
            {
                // Stride 1 reaches every input row: the transposed convolution with the forward's padding has the input's
                // size by itself, without the shape arithmetic, Pad and Slice the general case needs.
                return context.Node("ConvTranspose", $"{name}_grad_input", [gradient, w],
                    OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
                    pads,
                    OnnxAttribute.Ints("dilations", _dilation),
                    OnnxAttribute.Int("group", Groups));
            }

            string spread = context.Node("ConvTranspose", $"{name}_grad_spread", [gradient, w],
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
                OnnxAttribute.Ints("strides", _strides),
                OnnxAttribute.Ints("dilations", _dilation),
                OnnxAttribute.Int("group", Groups));
            string full = context.PadBottomRightTo($"{name}_grad_full", spread, input, Padding.Top + Padding.Bottom, Padding.Left + Padding.Right);
            return padded ? context.CropTo($"{name}_grad_input", full, input, Padding.Top, Padding.Left) : full;
        });
    }

    /// <summary>∂W for (filters, in channels / groups, k, k) from the input (padded by <paramref name="pads"/> inside the correlation) and ∂y.</summary>
    private string WeightGradient(DifferentiableEmitContext context, string name, string x, string gradient, OnnxAttribute pads)
    {
        if (Groups == 1 && _strides[0] == 1)
        {
            return UnfoldedWeightGradient(context, name, x, gradient);
        }

        long groups = Groups, inPerGroup = weight.shape[1], outPerGroup = weight.shape[0] / Groups;
        string Shape(string hint, string value, params long[] middle) =>
            context.Node("Concat", hint, [context.ShapeSlice(hint + "_n", value, 0, 1), context.Longs(hint + "_middle", middle), context.ShapeSlice(hint + "_hw", value, 2, 4)],
                OnnxAttribute.Int("axis", 0));
        string Reshape(string hint, string value, string shape) => context.Node("Reshape", hint, [value, shape]);
        string Transpose(string hint, string value, params long[] perm) => context.Node("Transpose", hint, [value], OnnxAttribute.Ints("perm", perm));
        string Flat(string hint, string value, long first) =>
            Reshape(hint, value, context.Node("Concat", hint + "_shape", [context.Longs(hint + "_lead", first, -1), context.ShapeSlice(hint + "_hw", value, 3, 5)], OnnxAttribute.Int("axis", 0)));

        // Input as (in per group, groups × N, H, W); ∂y as (groups × out per group, N, H', W').
        string inputs = Flat($"{name}_grad_w_input", Transpose($"{name}_grad_w_input_t", Reshape($"{name}_grad_w_input_g", x, Shape($"{name}_grad_w_xs", x, groups, inPerGroup)), 2, 1, 0, 3, 4), inPerGroup);
        string kernels = Flat($"{name}_grad_w_kernel", Transpose($"{name}_grad_w_kernel_t", Reshape($"{name}_grad_w_kernel_g", gradient, Shape($"{name}_grad_w_gs", gradient, groups, outPerGroup)), 1, 2, 0, 3, 4), groups * outPerGroup);
        string correlation = context.Node("Conv", $"{name}_grad_w_full", [inputs, kernels],
            OnnxAttribute.Ints("strides", _dilation), OnnxAttribute.Ints("dilations", _strides), pads, OnnxAttribute.Int("group", Groups));
        string cut = context.Node("Slice", $"{name}_grad_w_cut", [correlation, context.Longs($"{name}_grad_w_start", 0, 0),
            context.Longs($"{name}_grad_w_end", Kernel, Kernel), context.Longs($"{name}_grad_w_axes", 2, 3)]);
        return Transpose($"{name}_grad_weight", cut, 1, 0, 2, 3);
    }

    /// <summary>
    /// ∂W of a dense, stride-1 convolution as one matrix product: the padded input's k² shifted windows (k² slices of it,
    /// channels first, stacked after each channel so that the rows come in the weight's own (channel, row, column) order)
    /// times ∂y, summed over samples and positions in the product, which so has the weight's layout with no transpose.
    /// The correlation form (<see cref="WeightGradient"/>) runs as one small product per input channel with a kernel as
    /// large as the feature map, which ONNX Runtime computes several times slower than this single large one.
    /// </summary>
    private string UnfoldedWeightGradient(DifferentiableEmitContext context, string name, string x, string gradient)
    {
        long k = Kernel, d = _dilation[0], span = d * (k - 1);
        string padded = Padding == default(Padding2d) ? x : context.Node("Pad", $"{name}_grad_w_padded", [x, context.Longs($"{name}_grad_w_pads", 0, 0, Padding.Top, Padding.Left, 0, 0, Padding.Bottom, Padding.Right)]);
        // (C, 1, N, H, W): the windows stack on the new axis, after their channel.
        string channelsFirst = context.Node("Unsqueeze", $"{name}_grad_w_input_c1", [context.Node("Transpose", $"{name}_grad_w_input_t", [padded], OnnxAttribute.Ints("perm", 1, 0, 2, 3)), context.Longs($"{name}_grad_w_window_axis", 1)]);
        string axes = context.Longs($"{name}_grad_w_axes", 3, 4);
        var windows = new List<string>((int)(k * k));
        for (long i = 0; i < k; i++)
        {
            for (long j = 0; j < k; j++)
            {
                // Window (i, j) starts at its offset and stops span − offset short of the end (the last one at the end itself).
                long EndOf(long offset) => offset * d == span ? long.MaxValue : offset * d - span;
                windows.Add(context.Node("Slice", $"{name}_grad_w_window", [channelsFirst, context.Longs($"{name}_grad_w_start", i * d, j * d), context.Longs($"{name}_grad_w_end", EndOf(i), EndOf(j)), axes]));
            }
        }

        long inChannels = weight.shape[1], filters = weight.shape[0];
        string unfolded = context.Node("Reshape", $"{name}_grad_w_unfolded", [context.Node("Concat", $"{name}_grad_w_windows", windows, OnnxAttribute.Int("axis", 1)), context.Longs($"{name}_grad_w_unfolded_shape", inChannels * k * k, -1)]);
        string outputs = context.Node("Reshape", $"{name}_grad_w_outputs", [context.Node("Transpose", $"{name}_grad_w_outputs_t", [gradient], OnnxAttribute.Ints("perm", 1, 0, 2, 3)), context.Longs($"{name}_grad_w_outputs_shape", filters, -1)]);
        string product = context.Node("Gemm", $"{name}_grad_w_product", [outputs, unfolded], OnnxAttribute.Int("transB", 1));
        return context.Node("Reshape", $"{name}_grad_weight", [product, context.Longs($"{name}_grad_weight_shape", filters, inChannels, k, k)]);
    }
}

/// <summary>Argument checks shared by the convolution layers, so a bad size fails at construction with the layer's name.</summary>
internal static class ConvChecks
{
    /// <summary>Throws unless every size is positive and the channels and filters divide into the groups.</summary>
    public static void Validate(string name, int inChannels, int filters, int kernel, int stride, int dilation, int groups)
    {
        if (inChannels < 1 || filters < 1 || kernel < 1 || stride < 1 || dilation < 1 || groups < 1)
        {
            throw new ArgumentException(
                $"{name}: channels ({inChannels}), filters ({filters}), kernel ({kernel}), stride ({stride}), dilation ({dilation}) and groups ({groups}) must all be at least 1.");
        }

        if (inChannels % groups != 0 || filters % groups != 0)
        {
            throw new ArgumentException($"{name}: {groups} groups must divide both the input channels ({inChannels}) and the filters ({filters}).");
        }
    }

    /// <summary>Throws if any padding amount is negative.</summary>
    public static void ValidatePadding(string name, params int[] amounts)
    {
        if (amounts.Any(a => a < 0))
        {
            throw new ArgumentException($"{name}: padding cannot be negative (got {string.Join(", ", amounts)}).");
        }
    }
}
