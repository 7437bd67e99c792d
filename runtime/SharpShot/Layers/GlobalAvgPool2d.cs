using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>Averages each channel over its whole feature map: (N, C, H, W) → (N, C), a vector per sample as in Keras.</summary>
public sealed class GlobalAvgPool2dLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public GlobalAvgPool2dLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => x.mean([2, 3]);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string pooled = graph.AddNode("GlobalAveragePool", [input], PathIn(context) + "_pooled");
        return graph.AddNode("Flatten", [pooled], PathIn(context), OnnxAttribute.Int("axis", 1));
    }

    /// <inheritdoc />
    /// <remarks>Each element of a channel gets the channel's gradient over the channel's area.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string output = context.Node("Flatten", name, [context.Node("GlobalAveragePool", $"{name}_pooled", [input])], OnnxAttribute.Int("axis", 1));
        return Elementwise(output, gradient =>
        {
            string spread = context.Node("Expand", $"{name}_grad_spread", [
                context.Node("Reshape", $"{name}_grad_4d", [gradient, context.Longs($"{name}_4d", 0, 0, 1, 1)]),
                context.Node("Shape", $"{name}_input_shape", [input])]);
            string area = context.ShapeProduct($"{name}_area", input, 2, 4);
            return context.Node("Div", $"{name}_grad", [spread, area]);
        });
    }
}
