using SharpShot.Native;
using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Layers run one after another as one unit: what a <c>[Block]</c>, <c>[Repeat]</c> or <c>[Use]</c> becomes.
/// Children are registered under their own names, so parameters read <c>block.child.weight</c>.
/// </summary>
public sealed class BlockLayer : Layer
{
    private readonly Layer[] _layers;

    /// <summary>Creates the block from its layers, in order.</summary>
    public BlockLayer(string name, params Layer[] layers) : base(name)
    {
        _layers = layers ?? throw new ArgumentNullException(nameof(layers));
        foreach (Layer layer in _layers)
        {
            register_module(layer.GetName(), layer);
        }
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => _layers.SelectMany(l => l.OwnParameters).ToArray();

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        foreach (Layer layer in _layers)
        {
            x = layer.Forward(x, parameters, training);
        }

        return x;
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        OnnxEmitContext inside = context.Enter(GetName());
        foreach (Layer layer in _layers)
        {
            input = layer.EmitOnnx(inside, input);
        }

        return input;
    }

    /// <inheritdoc />
    /// <remarks>The layers' rules chained: backward runs them in reverse, every one but the first passing its input's gradient on.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        List<DifferentiableOutput> steps = EmitSequence(context.Enter(GetName()), _layers, input);
        return new DifferentiableOutput(steps.Count == 0 ? input : steps[^1].Output, (gradient, needed) => Chain(steps, gradient, needed));
    }

    /// <summary>
    /// Emits <paramref name="layers"/> one after another from <paramref name="input"/>; their outputs and backward rules, in
    /// graph order (the last one's output is the sequence's).
    /// </summary>
    /// <remarks>
    /// A ReLU followed by max pooling is emitted as the pooling followed by the ReLU: ReLU never changes which element of a
    /// window is the (first) maximum where that maximum is positive, and where it is not, both orders give 0 and a zero
    /// gradient. So the values and the gradients are exactly the same, and the ReLU and its backward run on the pooled map
    /// (a quarter of the elements for 2×2 windows).
    /// </remarks>
    internal static List<DifferentiableOutput> EmitSequence(DifferentiableEmitContext context, IReadOnlyList<Layer> layers, string input)
    {
        var steps = new List<DifferentiableOutput>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is ReluLayer relu && i + 1 < layers.Count && layers[i + 1] is MaxPool2dLayer pool)
            {
                steps.Add(pool.EmitDifferentiable(context, input));
                steps.Add(relu.EmitDifferentiable(context, steps[^1].Output));
                input = steps[^1].Output;
                i++;
                continue;
            }

            steps.Add(layers[i].EmitDifferentiable(context, input));
            input = steps[^1].Output;
        }

        return steps;
    }

    /// <summary>Runs <paramref name="steps"/>' backward rules from the last to the first; the first's input gradient only when <paramref name="needed"/>.</summary>
    internal static string? Chain(IReadOnlyList<DifferentiableOutput> steps, string gradient, bool needed)
    {
        string? current = gradient;
        for (int i = steps.Count - 1; i >= 0 && current is not null; i--)
        {
            current = steps[i].Backward(current, i > 0 || needed);
        }

        return current;
    }
}

/// <summary>
/// <c>y = body(x) + x</c>, or <c>body(x) + projection(x)</c> when the body changes the shape (a 1×1
/// convolution or a dense layer that maps x to the body's output shape).
/// </summary>
public sealed class ResidualLayer : Layer
{
    private readonly Layer body;
    private readonly Layer? projection;

    /// <summary>Creates the residual connection around <paramref name="body"/>.</summary>
    public ResidualLayer(string name, Layer body, Layer? projection = null) : base(name)
    {
        this.body = body ?? throw new ArgumentNullException(nameof(body));
        this.projection = projection;
        register_module("body", body);
        if (projection is not null)
        {
            register_module("projection", projection);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters =>
        projection is null ? body.OwnParameters : [.. body.OwnParameters, .. projection.OwnParameters];

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        Tensor y = body.Forward(x, parameters, training);
        Tensor shortcut = projection is null ? x : projection.Forward(x, parameters, training);
        return y.Plus(shortcut);
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        OnnxEmitContext inside = context.Enter(GetName());
        string y = body.EmitOnnx(inside, input);
        string shortcut = projection is null ? input : projection.EmitOnnx(inside, input);
        return context.Graph.AddNode("Add", [y, shortcut], PathIn(context));
    }

    /// <inheritdoc />
    /// <remarks>The output's gradient flows into both the body and the shortcut; the input's gradient is their sum.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        DifferentiableEmitContext inside = context.Enter(GetName());
        DifferentiableOutput y = body.EmitDifferentiable(inside, input);
        DifferentiableOutput? shortcut = projection?.EmitDifferentiable(inside, input);
        string output = context.Node("Add", GetName(), [y.Output, shortcut?.Output ?? input]);
        return new DifferentiableOutput(output, (gradient, needed) =>
        {
            string? throughBody = y.Backward(gradient, needed);
            string? throughShortcut = shortcut is null ? (needed ? gradient : null) : shortcut.Backward(gradient, needed);
            return needed ? context.Node("Add", $"{GetName()}_grad", [throughBody!, throughShortcut!]) : null;
        });
    }
}
