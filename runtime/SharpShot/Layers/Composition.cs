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
}
