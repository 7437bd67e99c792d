using SharpShot.Native;
using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// 2-D transposed convolution ("deconvolution") over (N, C, H, W) with a square kernel and a bias:
/// out = (H − 1)·stride − 2·padding + kernel + outputPadding, as in PyTorch.
/// </summary>
public sealed class ConvTranspose2dLayer : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long[] _strides;
    private readonly long[] _padding;
    private readonly long[] _outputPadding;

    /// <summary>Creates the layer with Glorot-uniform weights (C, F, k, k), PyTorch's layout, and zero bias (F).</summary>
    /// <exception cref="ArgumentException">A size is out of range, or <paramref name="outputPadding"/> is not below <paramref name="stride"/>.</exception>
    public ConvTranspose2dLayer(string name, int inChannels, int filters, int kernel, int stride, int padding, int outputPadding, LayerInit init)
        : base(name)
    {
        ConvChecks.Validate(name, inChannels, filters, kernel, stride, 1, 1);
        ConvChecks.ValidatePadding(name, padding, outputPadding);
        ArgumentNullException.ThrowIfNull(init);
        if (outputPadding >= stride)
        {
            throw new ArgumentException($"{name}: output padding ({outputPadding}) must be smaller than the stride ({stride}).");
        }

        long receptive = (long)kernel * kernel;
        weight = new Parameter(init.GlorotUniform([inChannels, filters, kernel, kernel], filters * receptive, inChannels * receptive));
        bias = new Parameter(LayerInit.Zeros(filters));
        Kernel = kernel;
        _strides = [stride, stride];
        _padding = [padding, padding];
        _outputPadding = [outputPadding, outputPadding];
        RegisterComponents();
    }

    /// <summary>Kernel weights, shape (in channels, filters, kernel, kernel).</summary>
    public Parameter Weight => weight;

    /// <summary>Bias, shape (filters).</summary>
    public Parameter Bias => bias;

    /// <summary>Side of the square kernel.</summary>
    public int Kernel { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight, bias];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) =>
        ConvolutionGuard.Run("conv_transpose2d", x, Take(parameters, "weight", weight), Take(parameters, "bias", bias),
            $"stride {string.Join(",", _strides)} padding {string.Join(",", _padding)} output padding {string.Join(",", _outputPadding)}",
            (input, kernel, shift) => nn.functional.conv_transpose2d(input, kernel, shift, strides: _strides, padding: _padding, output_padding: _outputPadding));

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string w = AddWeight(context, "weight", weight);
        string b = AddWeight(context, "bias", bias);
        return graph.AddNode("ConvTranspose", [input, w, b], PathIn(context),
            OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
            OnnxAttribute.Ints("strides", _strides),
            OnnxAttribute.Ints("pads", _padding[0], _padding[1], _padding[0], _padding[1]),
            OnnxAttribute.Ints("output_padding", _outputPadding));
    }
}
