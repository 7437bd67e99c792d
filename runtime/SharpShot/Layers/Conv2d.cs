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
