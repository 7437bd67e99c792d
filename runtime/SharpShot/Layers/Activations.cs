using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>max(x, 0).</summary>
public sealed class ReluLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public ReluLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.relu(x);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) => context.Graph.AddNode("Relu", [input], PathIn(context));

    /// <inheritdoc />
    /// <remarks>
    /// ∂x = ∂y where x &gt; 0, else 0 (PyTorch's choice at 0): ∂y·sign(y), since y = max(x, 0) is positive exactly where x
    /// is and 0 elsewhere — two arithmetic operators, which ONNX Runtime runs several times faster than a comparison and a
    /// Where with a broadcast zero.
    /// </remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string output = context.Node("Relu", name, [input]);
        return Elementwise(output, gradient => context.Node("Mul", $"{name}_grad", [gradient, context.Node("Sign", $"{name}_active", [output])]));
    }

    /// <summary>x &gt; 0, as a boolean value.</summary>
    internal static string Positive(DifferentiableEmitContext context, string name, string input) =>
        context.Node("Greater", $"{name}_positive", [input, context.Constant($"{name}_zero", 0f)]);
}

/// <summary>Softmax over the last dimension.</summary>
public sealed class SoftmaxLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public SoftmaxLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.softmax(x, -1);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("Softmax", [input], PathIn(context), OnnxAttribute.Int("axis", -1));
}

/// <summary>Inverted dropout: active in training mode only; the identity in eval mode and in ONNX.</summary>
public sealed class DropoutLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public DropoutLayer(string name, double rate) : base(name) => Rate = rate;

    /// <summary>Probability of zeroing a value in training.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.dropout(x, Rate, training);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) => input;

    /// <inheritdoc />
    /// <remarks>Inactive in every export, so the identity both ways.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input) => Elementwise(input, gradient => gradient);
}

/// <summary>x for x ≥ 0, slope·x below.</summary>
public sealed class LeakyReluLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public LeakyReluLayer(string name, double slope) : base(name) => Slope = slope;

    /// <summary>Multiplier of negative inputs.</summary>
    public double Slope { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.leaky_relu(x, Slope);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("LeakyRelu", [input], PathIn(context), OnnxAttribute.Float("alpha", (float)Slope));

    /// <inheritdoc />
    /// <remarks>∂x = ∂y where x &gt; 0, slope·∂y elsewhere.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string output = context.Node("LeakyRelu", name, [input], OnnxAttribute.Float("alpha", (float)Slope));
        return Elementwise(output, gradient => context.Node("Where", $"{name}_grad", [ReluLayer.Positive(context, name, input), gradient,
            context.Node("Mul", $"{name}_grad_negative", [gradient, context.Constant($"{name}_slope", (float)Slope)])]));
    }
}

/// <summary>x for x &gt; 0, alpha·(eˣ − 1) otherwise.</summary>
public sealed class EluLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public EluLayer(string name, double alpha) : base(name) => Alpha = alpha;

    /// <summary>Scale of the negative part.</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.elu(x, Alpha);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("Elu", [input], PathIn(context), OnnxAttribute.Float("alpha", (float)Alpha));

    /// <inheritdoc />
    /// <remarks>∂x = ∂y where x &gt; 0, ∂y·(y + alpha) elsewhere (the derivative of alpha·(eˣ − 1) is alpha·eˣ).</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string output = context.Node("Elu", name, [input], OnnxAttribute.Float("alpha", (float)Alpha));
        return Elementwise(output, gradient => context.Node("Where", $"{name}_grad", [ReluLayer.Positive(context, name, input), gradient,
            context.Node("Mul", $"{name}_grad_negative", [gradient, context.Node("Add", $"{name}_slope", [output, context.Constant($"{name}_alpha", (float)Alpha)])])]));
    }
}

/// <summary>Exact (erf) GELU, PyTorch's default: 0.5·x·(1 + erf(x/√2)).</summary>
public sealed class GeluLayer : Layer
{
    /// <summary>First opset with the Gelu operator; below it the layer is exported as its erf formula.</summary>
    public const int GeluOpset = 20;

    /// <summary>Creates the layer.</summary>
    public GeluLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.gelu(x);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string name = PathIn(context);
        if (graph.Opset >= GeluOpset)
        {
            return graph.AddNode("Gelu", [input], name);
        }

        string invSqrt2 = graph.AddInitializer($"{name}.inv_sqrt2", [(float)(1 / Math.Sqrt(2))]);
        string one = graph.AddInitializer($"{name}.one", [1f]);
        string half = graph.AddInitializer($"{name}.half", [0.5f]);
        string erf = graph.AddNode("Erf", [graph.AddNode("Mul", [input, invSqrt2], $"{name}_scaled")], $"{name}_erf");
        string gate = graph.AddNode("Mul", [graph.AddNode("Add", [erf, one], $"{name}_erf_plus_one"), half], $"{name}_gate");
        return graph.AddNode("Mul", [input, gate], name);
    }

    /// <inheritdoc />
    /// <remarks>y = x·Φ(x): ∂x = ∂y·(Φ(x) + x·φ(x)), Φ the normal distribution function, φ its density.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string erf = context.Node("Erf", $"{name}_erf", [context.Node("Mul", $"{name}_scaled", [input, context.Constant($"{name}_inv_sqrt2", (float)(1 / Math.Sqrt(2)))])]);
        string cdf = context.Node("Mul", $"{name}_cdf", [context.Node("Add", $"{name}_erf_plus_one", [erf, context.Constant($"{name}_one", 1f)]), context.Constant($"{name}_half", 0.5f)]);
        string output = context.Node("Mul", name, [input, cdf]);
        return Elementwise(output, gradient =>
        {
            string square = context.Node("Mul", $"{name}_square", [input, input]);
            string density = context.Node("Mul", $"{name}_density", [
                context.Node("Exp", $"{name}_exp", [context.Node("Mul", $"{name}_minus_half_square", [square, context.Constant($"{name}_minus_half", -0.5f)])]),
                context.Constant($"{name}_inv_sqrt_2pi", (float)(1 / Math.Sqrt(2 * Math.PI)))]);
            string slope = context.Node("Add", $"{name}_slope", [cdf, context.Node("Mul", $"{name}_x_density", [input, density])]);
            return context.Node("Mul", $"{name}_grad", [gradient, slope]);
        });
    }
}

/// <summary>SiLU (swish): x·sigmoid(x).</summary>
public sealed class SiluLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public SiluLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.silu(x);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("Mul", [input, context.Graph.AddNode("Sigmoid", [input], PathIn(context) + "_sigmoid")], PathIn(context));
}

/// <summary>1 / (1 + e⁻ˣ).</summary>
public sealed class SigmoidLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public SigmoidLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => sigmoid(x);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) => context.Graph.AddNode("Sigmoid", [input], PathIn(context));

    /// <inheritdoc />
    /// <remarks>∂x = ∂y·y·(1 − y).</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string output = context.Node("Sigmoid", name, [input]);
        return Elementwise(output, gradient => context.Node("Mul", $"{name}_grad", [gradient,
            context.Node("Mul", $"{name}_slope", [output, context.Node("Sub", $"{name}_complement", [context.Constant($"{name}_one", 1f), output])])]));
    }
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class TanhLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public TanhLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => tanh(x);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) => context.Graph.AddNode("Tanh", [input], PathIn(context));

    /// <inheritdoc />
    /// <remarks>∂x = ∂y·(1 − y²).</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        string name = GetName();
        string output = context.Node("Tanh", name, [input]);
        return Elementwise(output, gradient => context.Node("Mul", $"{name}_grad", [gradient,
            context.Node("Sub", $"{name}_slope", [context.Constant($"{name}_one", 1f), context.Node("Mul", $"{name}_square", [output, output])])]));
    }
}

/// <summary>log(softmax(x)) over the last dimension, computed stably.</summary>
public sealed class LogSoftmaxLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public LogSoftmaxLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => nn.functional.log_softmax(x, -1);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input) =>
        context.Graph.AddNode("LogSoftmax", [input], PathIn(context), OnnxAttribute.Int("axis", -1));
}
