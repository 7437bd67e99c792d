using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>Fully connected layer y = x Wᵀ + b over vectors.</summary>
public sealed class DenseLayer : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Creates the layer with Glorot-uniform weights (units, inFeatures) and zero bias.</summary>
    public DenseLayer(string name, int inFeatures, int units, LayerInit init) : base(name)
    {
        weight = new Parameter(init.GlorotUniform([units, inFeatures], inFeatures, units));
        bias = new Parameter(LayerInit.Zeros(units));
        RegisterComponents();
    }

    /// <summary>Weights, shape (units, in features), as PyTorch stores them.</summary>
    public Parameter Weight => weight;

    /// <summary>Bias, shape (units).</summary>
    public Parameter Bias => bias;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight, bias];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) =>
        nn.functional.linear(x, Take(parameters, "weight", weight), Take(parameters, "bias", bias));

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string w = AddWeight(context, "weight", weight);
        string b = AddWeight(context, "bias", bias);
        return graph.AddNode("Gemm", [input, w, b], PathIn(context), OnnxAttribute.Int("transB", 1));
    }
}
