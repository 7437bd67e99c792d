using SharpShot.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Base of SharpShot's layer modules. Each layer kind keeps its runtime faces together in one file:
/// the functional forward (explicit parameters, for MAML-style inner loops), the module forward (the
/// functional one over the layer's own parameters, so the two cannot drift apart) and the ONNX
/// emission. The shape rule lives in the generator, in the rule file of the same name.
/// </summary>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates a layer registered under <paramref name="name"/> (its field name in the model).</summary>
    protected Layer(string name) : base(name) => Native.TorchRuntime.EnsureConfigured();

    /// <summary>The layer's trainable parameters in the order <see cref="Forward"/> takes them from its cursor.</summary>
    public virtual IReadOnlyList<Parameter> OwnParameters => [];

    /// <summary>Runs the layer on its own parameters, in the module's training mode.</summary>
    public override Tensor forward(Tensor x) => Forward(x, new ParameterCursor(OwnParameters), training);

    /// <summary>
    /// Runs the layer with parameters taken from <paramref name="parameters"/> (in <see cref="OwnParameters"/>
    /// order) instead of its own: gradients then flow to whatever tensors the caller supplied.
    /// </summary>
    /// <param name="x">The input batch.</param>
    /// <param name="parameters">Supplies this layer's parameters, then the next layer's.</param>
    /// <param name="training">Training behaviour (dropout active, batch statistics) when true.</param>
    public abstract Tensor Forward(Tensor x, ParameterCursor parameters, bool training);

    /// <summary>
    /// Appends this layer's ONNX nodes to <paramref name="context"/>'s graph, reading from the value named
    /// <paramref name="input"/>, with the weights taken from <paramref name="context"/> (not the layer's own); returns the
    /// name of the output value. The graph computes what <see cref="Forward"/> computes with those weights in the
    /// context's mode.
    /// </summary>
    public abstract string EmitOnnx(OnnxEmitContext context, string input);

    /// <summary>
    /// Appends this layer's forward to <paramref name="context"/>'s graph with its weights taken as graph values (so an
    /// unrolled inner loop can feed updated weights in), and returns the output with the rule that emits the backward
    /// pass: the exact gradients of the forward with respect to the weights and the input. Layers without a rule throw.
    /// </summary>
    /// <exception cref="NoBackwardRuleException">The layer kind has no backward rule.</exception>
    public virtual DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input) =>
        throw new NoBackwardRuleException(
            $"Layer '{GetName()}' ({GetType().Name}) has no backward rule, so a graph cannot differentiate through it (in-graph adaptation). " +
            "Layers with one: Dense, Conv2d, ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, MaxPool2d, AvgPool2d, GlobalAvgPool2d, Flatten, Reshape, BatchNorm, Dropout, blocks and residual blocks of them.");

    /// <summary>Takes the next weight value from <paramref name="context"/>, checked against <paramref name="own"/>'s shape.</summary>
    protected (int Index, string Value) TakeWeight(DifferentiableEmitContext context, string name, Parameter own) =>
        context.NextWeight(GetName(), name, own.shape);

    /// <summary>The output of an element-wise layer whose input gradient is <paramref name="backward"/>(gradient) and which has no weights.</summary>
    protected static DifferentiableOutput Elementwise(string output, Func<string, string> backward) =>
        new(output, (gradient, needed) => needed ? backward(gradient) : null);

    /// <summary>Takes the next parameter from <paramref name="parameters"/>, checking it has <paramref name="own"/>'s shape.</summary>
    protected Tensor Take(ParameterCursor parameters, string name, Parameter own) => parameters.Next(GetName(), name, own.shape);

    /// <summary>This layer's full name in <paramref name="context"/>'s scope: the prefix of its values and initializers.</summary>
    protected string PathIn(OnnxEmitContext context) => context.Name(GetName());

    /// <summary>Takes the next weight from <paramref name="context"/> (checked against <paramref name="own"/>'s shape) and adds it as the initializer <c>{layer}.{name}</c>.</summary>
    protected string AddWeight(OnnxEmitContext context, string name, Parameter own) =>
        context.AddInitializer($"{GetName()}.{name}", Take(context.Weights, name, own));
}
