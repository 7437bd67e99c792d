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

    /// <inheritdoc />
    /// <remarks>y = x Wᵀ + b: ∂W = ∂yᵀ x, ∂b = Σₙ ∂y, ∂x = ∂y W.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        var (wi, w) = TakeWeight(context, "weight", weight);
        var (bi, b) = TakeWeight(context, "bias", bias);
        string name = GetName();
        string output = context.Node("Gemm", name, [input, w, b], OnnxAttribute.Int("transB", 1));
        return new DifferentiableOutput(output, (gradient, needed) =>
        {
            context.AddGradient(wi, context.Node("Gemm", $"{name}_grad_weight", [gradient, input], OnnxAttribute.Int("transA", 1)));
            context.AddGradient(bi, context.ReduceSum($"{name}_grad_bias", gradient, keepDims: false, 0));
            return needed ? context.Node("MatMul", $"{name}_grad_input", [gradient, w]) : null;
        });
    }
}
