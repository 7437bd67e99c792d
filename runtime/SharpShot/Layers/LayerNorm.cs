using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>Layer normalization over the last dimension: y = (x − mean) / √(var + ε) · γ + β, per position.</summary>
public sealed class LayerNormLayer : Layer
{
    /// <summary>First opset with the LayerNormalization operator; below it the layer is exported as its decomposition.</summary>
    public const int LayerNormalizationOpset = 17;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long[] _normalizedShape;

    /// <summary>Creates the layer with γ = 1 and β = 0.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="features">Size of the last dimension.</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    public LayerNormLayer(string name, int features, double epsilon) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        Epsilon = epsilon;
        weight = new Parameter(LayerInit.Ones(features));
        bias = new Parameter(LayerInit.Zeros(features));
        _normalizedShape = [features];
        RegisterComponents();
    }

    /// <summary>Scale γ, shape (features).</summary>
    public Parameter Weight => weight;

    /// <summary>Shift β, shape (features).</summary>
    public Parameter Bias => bias;

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight, bias];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) =>
        nn.functional.layer_norm(x, _normalizedShape, Take(parameters, "weight", weight), Take(parameters, "bias", bias), Epsilon);

    /// <inheritdoc />
    /// <remarks>
    /// LayerNormalization from opset 17; below it ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div, Mul, Add
    /// (the biased variance, as PyTorch uses). ReduceMean takes its axes as an attribute there (before opset 18).
    /// </remarks>
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string gamma = AddWeight(context, "weight", weight);
        string beta = AddWeight(context, "bias", bias);
        if (graph.Opset >= LayerNormalizationOpset)
        {
            return graph.AddNode("LayerNormalization", [input, gamma, beta], PathIn(context),
                OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", (float)Epsilon));
        }

        string name = PathIn(context);
        string epsilon = graph.AddInitializer($"{name}.epsilon", [(float)Epsilon]);
        string mean = graph.AddNode("ReduceMean", [input], $"{name}_mean", OnnxAttribute.Ints("axes", -1), OnnxAttribute.Int("keepdims", 1));
        string centered = graph.AddNode("Sub", [input, mean], $"{name}_centered");
        string squared = graph.AddNode("Mul", [centered, centered], $"{name}_squared");
        string variance = graph.AddNode("ReduceMean", [squared], $"{name}_variance", OnnxAttribute.Ints("axes", -1), OnnxAttribute.Int("keepdims", 1));
        string std = graph.AddNode("Sqrt", [graph.AddNode("Add", [variance, epsilon], $"{name}_variance_eps")], $"{name}_std");
        string normalized = graph.AddNode("Div", [centered, std], $"{name}_normalized");
        string scaled = graph.AddNode("Mul", [normalized, gamma], $"{name}_scaled");
        return graph.AddNode("Add", [scaled, beta], name);
    }
}
