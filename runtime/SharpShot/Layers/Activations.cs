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
