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
}
