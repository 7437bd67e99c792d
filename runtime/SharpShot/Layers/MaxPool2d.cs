using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// 2-D max pooling with a square window; partial windows at the border are dropped (floor), as in Keras and
/// PyTorch. Padding counts as −∞, so it never wins the max.
/// </summary>
public sealed class MaxPool2dLayer : Layer
{
    private readonly long[] _kernel;
    private readonly long[] _strides;
    private readonly long[] _padding;

    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentException"><paramref name="padding"/> is negative or more than half the kernel (PyTorch's limit).</exception>
    public MaxPool2dLayer(string name, int kernel, int stride, int padding = 0) : base(name)
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
        nn.functional.max_pool2d(x, _kernel, _strides, _padding);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("MaxPool", [input], PathIn(context),
            OnnxAttribute.Ints("kernel_shape", _kernel),
            OnnxAttribute.Ints("strides", _strides),
            OnnxAttribute.Ints("pads", _padding[0], _padding[1], _padding[0], _padding[1]));

    /// <inheritdoc />
    /// <remarks>
    /// Each output's gradient goes to the input element it took its maximum from: MaxPool's second output gives those
    /// elements as indices into the flattened input. Non-overlapping windows (kernel = stride, no padding) send it back
    /// with MaxUnpool; overlapping ones with ScatterElements, which adds the gradients there (one element may be picked
    /// twice) and needs opset 16 (its reduction).
    /// </remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        if (context.ForwardOnly)
        {
            // No backward: the plain pooling, which ONNX Runtime runs faster than the one that also gives indices.
            return Elementwise(context.Node("MaxPool", name, [input],
                OnnxAttribute.Ints("kernel_shape", _kernel),
                OnnxAttribute.Ints("strides", _strides),
                OnnxAttribute.Ints("pads", _padding[0], _padding[1], _padding[0], _padding[1])),
                _ => throw new InvalidOperationException($"{name} was emitted forward-only; it has no backward pass."));
        }

        IReadOnlyList<string> outputs = context.Graph.AddNode("MaxPool", [input], [context.Name(name), context.Name($"{name}_indices")],
            OnnxAttribute.Ints("kernel_shape", _kernel),
            OnnxAttribute.Ints("strides", _strides),
            OnnxAttribute.Ints("pads", _padding[0], _padding[1], _padding[0], _padding[1]));
        if (_kernel[0] == _strides[0] && _padding[0] == 0)
        {
            // Windows that do not overlap pick each input element at most once, so MaxUnpool (which places each value at
            // its index in zeros of the input's shape) is the whole backward: one operator instead of a scatter and the
            // reshapes around it, and several times faster. The shape input keeps the rows and columns the floor dropped.
            return Elementwise(outputs[0], gradient => context.Node("MaxUnpool", $"{name}_grad", [gradient, outputs[1], context.Node("Shape", $"{name}_input_shape", [input])],
                OnnxAttribute.Ints("kernel_shape", _kernel),
                OnnxAttribute.Ints("strides", _strides)));
        }

        return Elementwise(outputs[0], gradient =>
        {
            string flat = context.Longs($"{name}_flat", -1);
            string shape = context.Node("Shape", $"{name}_input_shape", [input]);
            string zeros = context.Node("ConstantOfShape", $"{name}_zeros", [context.Node("ReduceProd", $"{name}_size", [shape], OnnxAttribute.Int("keepdims", 1))]);
            string scattered = context.Node("ScatterElements", $"{name}_scattered", [
                zeros,
                context.Node("Reshape", $"{name}_flat_indices", [outputs[1], flat]),
                context.Node("Reshape", $"{name}_flat_grad", [gradient, flat])],
                OnnxAttribute.Int("axis", 0), OnnxAttribute.String("reduction", "add"));
            return context.Node("Reshape", $"{name}_grad", [scattered, shape]);
        });
    }
}
