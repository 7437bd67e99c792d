using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>2-D convolution, square kernel, same stride and zero padding in both directions, with bias.</summary>
public sealed class Conv2dLayer : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long[] _strides;
    private readonly long[] _padding;

    /// <summary>Creates the layer with Glorot-uniform weights (F, C, k, k) and zero bias (F).</summary>
    public Conv2dLayer(string name, int inChannels, int filters, int kernel, int stride, int padding, LayerInit init) : base(name)
    {
        long receptive = (long)kernel * kernel;
        weight = new Parameter(init.GlorotUniform([filters, inChannels, kernel, kernel], inChannels * receptive, filters * receptive));
        bias = new Parameter(LayerInit.Zeros(filters));
        Kernel = kernel;
        _strides = [stride, stride];
        _padding = [padding, padding];
        RegisterComponents();
    }

    /// <summary>Kernel weights, shape (filters, in channels, kernel, kernel).</summary>
    public Parameter Weight => weight;

    /// <summary>Bias, shape (filters).</summary>
    public Parameter Bias => bias;

    /// <summary>Side of the square kernel.</summary>
    public int Kernel { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.conv2d(x, weight, bias, strides: _strides, padding: _padding);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input)
    {
        string w = graph.AddInitializer(GetName() + ".weight", ToArray(weight), Dims(weight));
        string b = graph.AddInitializer(GetName() + ".bias", ToArray(bias), Dims(bias));
        return graph.AddNode("Conv", [input, w, b], GetName(),
            OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
            OnnxAttribute.Ints("strides", _strides),
            OnnxAttribute.Ints("pads", _padding[0], _padding[1], _padding[0], _padding[1]),
            OnnxAttribute.Ints("dilations", 1, 1),
            OnnxAttribute.Int("group", 1));
    }
}
