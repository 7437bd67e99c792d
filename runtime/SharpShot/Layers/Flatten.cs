using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>Flattens each sample to a vector: (N, d1, d2, …) → (N, d1·d2·…).</summary>
public sealed class FlattenLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public FlattenLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => x.flatten(1);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("Flatten", [input], PathIn(context), OnnxAttribute.Int("axis", 1));

    /// <inheritdoc />
    /// <remarks>The gradient takes the input's shape back.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input) =>
        Elementwise(context.Node("Flatten", GetName(), [input], OnnxAttribute.Int("axis", 1)),
            gradient => context.Node("Reshape", $"{GetName()}_grad", [gradient, context.Node("Shape", $"{GetName()}_input_shape", [input])]));
}
