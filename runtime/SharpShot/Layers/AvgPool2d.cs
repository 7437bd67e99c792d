using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// 2-D average pooling with a square window, floor mode; padded zeros count in the average
/// (PyTorch's default <c>count_include_pad</c>), so every window divides by kernel².
/// </summary>
public sealed class AvgPool2dLayer : Layer
{
    private readonly long[] _kernel;
    private readonly long[] _strides;
    private readonly long[] _padding;

    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException"><paramref name="padding"/> is negative or more than half the kernel (PyTorch's limit).</exception>
    public AvgPool2dLayer(string name, int kernel, int stride, int padding) : base(name)
    {
        if (padding < 0 || padding > kernel / 2)
        {
            throw new ArgumentException($"{name}: padding ({padding}) must be between 0 and half the kernel ({kernel}).", nameof(padding));
        }

        _kernel = [kernel, kernel];
        _strides = [stride, stride];
        _padding = [padding, padding];
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) =>
        nn.functional.avg_pool2d(x, _kernel, _strides, _padding, ceil_mode: false, count_include_pad: true);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("AveragePool", [input], PathIn(context),
            OnnxAttribute.Ints("kernel_shape", _kernel),
            OnnxAttribute.Ints("strides", _strides),
            OnnxAttribute.Ints("pads", _padding[0], _padding[1], _padding[0], _padding[1]),
            OnnxAttribute.Int("count_include_pad", 1));
}
