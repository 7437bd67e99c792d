using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>Gives each sample a new shape with the same number of values: (N, …) → (N, shape…).</summary>
public sealed class ReshapeLayer : Layer
{
    private readonly long[] _shape;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="shape">The per-sample target shape, fully resolved (every entry at least 1, no −1).</param>
    /// <exception cref="ArgumentException">The shape is empty or has an entry below 1.</exception>
    public ReshapeLayer(string name, params int[] shape) : base(name)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"{name}: the target shape must have at least one dimension, each at least 1; got [{string.Join(", ", shape)}].", nameof(shape));
        }

        _shape = shape.Select(d => (long)d).ToArray();
    }

    /// <summary>The per-sample target shape.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <inheritdoc />
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training) => x.reshape([x.shape[0], .. _shape]);

    /// <inheritdoc />
    /// <remarks>
    /// The ONNX target shape starts with 0, which Reshape (allowzero unset) reads as "copy input dimension 0":
    /// the batch is carried over exactly, whatever its size (also 0), and a sample of the wrong size is an error
    /// rather than a silently different batch, as −1 would give.
    /// </remarks>
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string shape = graph.AddInitializer($"{PathIn(context)}.shape", [0L, .. _shape], _shape.Length + 1);
        return graph.AddNode("Reshape", [input, shape], PathIn(context));
    }

    /// <inheritdoc />
    /// <remarks>The gradient takes the input's shape back.</remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input) =>
        Elementwise(context.Node("Reshape", GetName(), [input, context.Longs($"{GetName()}_shape", [0L, .. _shape])]),
            gradient => context.Node("Reshape", $"{GetName()}_grad", [gradient, context.Node("Shape", $"{GetName()}_input_shape", [input])]));
}
