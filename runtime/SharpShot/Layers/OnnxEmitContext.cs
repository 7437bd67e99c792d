using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// What a layer's ONNX emission works with: the graph being built, the weights to write (taken in
/// <see cref="SequentialModel.ParameterDescriptors"/> order, as the functional forward takes them), whether
/// normalization uses batch statistics, and the name scope of the layer's container. Emission reads nothing
/// else from the layer but its description (sizes, strides, …) and its buffers (batch norm's running
/// statistics), so the graph of a trained module and that of an adapted weight list come from the same call,
/// and the module is never changed.
/// </summary>
public sealed class OnnxEmitContext
{
    /// <summary>Starts emitting into <paramref name="graph"/> at the root scope.</summary>
    /// <param name="graph">The graph the nodes and initializers go to.</param>
    /// <param name="weights">Every trainable parameter of what is emitted, in functional-forward order.</param>
    /// <param name="training">
    /// True to emit what <see cref="SequentialModel.Functional"/> computes with <c>training: true</c>: batch normalization by
    /// the statistics of the batch the ONNX model is given (how MAML-family learners adapt and predict). Dropout is
    /// inactive either way: an exported model answers the same input the same way.
    /// </param>
    /// <param name="statistics">Batch statistics recorded on another set (a task's support set): batch-norm layers with statistics here normalize by them, as constants, whatever <paramref name="training"/> says.</param>
    public OnnxEmitContext(OnnxGraphBuilder graph, IReadOnlyList<Tensor> weights, bool training, BatchStatistics? statistics = null)
        : this(graph ?? throw new ArgumentNullException(nameof(graph)), new ParameterCursor(weights), training, string.Empty, statistics)
    {
    }

    private OnnxEmitContext(OnnxGraphBuilder graph, ParameterCursor weights, bool training, string scope, BatchStatistics? statistics)
    {
        Graph = graph;
        Weights = weights;
        Training = training;
        Scope = scope;
        Statistics = statistics;
    }

    /// <summary>Batch statistics recorded on another set, which batch-norm layers use as constants; null when none.</summary>
    public BatchStatistics? Statistics { get; }

    /// <summary>The graph being built.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>The default-domain opset of <see cref="Graph"/>: what some operators' forms depend on.</summary>
    public int Opset => Graph.Opset;

    /// <summary>Hands out the weights in order; shared by every scope of one emission.</summary>
    public ParameterCursor Weights { get; }

    /// <summary>True when normalization layers use the statistics of the batch they are given (see the constructor).</summary>
    public bool Training { get; }

    /// <summary>The dotted path of the enclosing containers with a trailing dot (<c>block_1.body.</c>), empty at the top.</summary>
    public string Scope { get; }

    /// <summary>The context for the layers inside the container <paramref name="name"/>: same graph, weights and mode, a deeper scope.</summary>
    public OnnxEmitContext Enter(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxEmitContext(Graph, Weights, Training, Scope + name + ".", Statistics);
    }

    /// <summary>
    /// The full name of <paramref name="local"/> in this scope, e.g. <c>block_1.conv2d_1</c>: value and initializer names
    /// follow the module's state-dict names, so a weight in the graph is found by its parameter's name.
    /// </summary>
    public string Name(string local) => Scope + local;

    /// <summary>Adds <paramref name="values"/> (copied to the CPU as float32, row-major) as an initializer named <paramref name="name"/> in this scope.</summary>
    /// <returns>The initializer's unique name.</returns>
    public string AddInitializer(string name, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Graph.AddInitializer(Name(name), FloatValues(values), values.shape);
    }

    /// <summary>The values of a tensor as a flat float array, row-major, copied to the CPU.</summary>
    internal static float[] FloatValues(Tensor values)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            return values.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        }
    }
}
