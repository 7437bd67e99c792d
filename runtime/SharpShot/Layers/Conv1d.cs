using SharpShot.Native;
using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// 1-D convolution over (N, C, L) with optional dilation and groups and a bias. Asymmetric padding (what "same"
/// needs with an even kernel or a stride above 1) is applied as explicit zero padding before the convolution.
/// </summary>
public sealed class Conv1dLayer : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Creates the layer with Glorot-uniform weights (F, C/groups, k) and zero bias (F).</summary>
    /// <exception cref="ArgumentException">The channels or filters are not divisible by <paramref name="groups"/>, or a size is out of range.</exception>
    public Conv1dLayer(string name, int inChannels, int filters, int kernel, int stride, Padding1d padding, int dilation, int groups, LayerInit init)
        : base(name)
    {
        ConvChecks.Validate(name, inChannels, filters, kernel, stride, dilation, groups);
        ConvChecks.ValidatePadding(name, padding.Start, padding.End);
        ArgumentNullException.ThrowIfNull(init);
        weight = new Parameter(init.GlorotUniform([filters, inChannels / groups, kernel], (long)inChannels / groups * kernel, (long)filters / groups * kernel));
        bias = new Parameter(LayerInit.Zeros(filters));
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        RegisterComponents();
    }

    /// <summary>Kernel weights, shape (filters, in channels / groups, kernel).</summary>
    public Parameter Weight => weight;

    /// <summary>Bias, shape (filters).</summary>
    public Parameter Bias => bias;

    /// <summary>Kernel length.</summary>
    public int Kernel { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zeros added before and after the input.</summary>
    public Padding1d Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight, bias];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        Tensor w = Take(parameters, "weight", weight);
        Tensor b = Take(parameters, "bias", bias);
        long padding = Padding.Start;
        if (!Padding.IsSymmetric)
        {
            x = nn.functional.pad(x, [Padding.Start, Padding.End]);
            padding = 0;
        }

        return ConvolutionGuard.Run("conv1d", x, w, b, $"stride {Stride} padding {padding} dilation {Dilation} groups {Groups}",
            (input, kernel, shift) => nn.functional.conv1d(input, kernel, shift, stride: Stride, padding: padding, dilation: Dilation, groups: Groups));
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string w = AddWeight(context, "weight", weight);
        string b = AddWeight(context, "bias", bias);
        return graph.AddNode("Conv", [input, w, b], PathIn(context),
            OnnxAttribute.Ints("kernel_shape", Kernel),
            OnnxAttribute.Ints("strides", Stride),
            OnnxAttribute.Ints("pads", Padding.Start, Padding.End),
            OnnxAttribute.Ints("dilations", Dilation),
            OnnxAttribute.Int("group", Groups));
    }
}
