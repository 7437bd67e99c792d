using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>2-D max pooling with a square window; partial windows at the border are dropped (floor), as in Keras and PyTorch.</summary>
public sealed class MaxPool2dLayer : Layer
{
    private readonly long[] _kernel;
    private readonly long[] _strides;

    /// <summary>Creates the layer.</summary>
    public MaxPool2dLayer(string name, int kernel, int stride) : base(name)
    {
        _kernel = [kernel, kernel];
        _strides = [stride, stride];
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.max_pool2d(x, _kernel, _strides);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input) =>
        graph.AddNode("MaxPool", [input], GetName(),
            OnnxAttribute.Ints("kernel_shape", _kernel),
            OnnxAttribute.Ints("strides", _strides));
}
