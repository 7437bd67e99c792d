using SharpShot.Onnx;

namespace SharpShot.Layers;

/// <summary>A layer's differentiable emission: its output value and the rule that emits its backward pass.</summary>
/// <param name="Output">The name of the output value.</param>
/// <param name="Backward">
/// Emits the backward pass from the gradient of the loss with respect to <paramref name="Output"/>: records the gradients of
/// the layer's weights in the context and returns the gradient with respect to the layer's input, or null when
/// <c>inputGradientNeeded</c> is false (nothing before the layer needs it).
/// </param>
public sealed record DifferentiableOutput(string Output, Func<string, bool, string?> Backward);

/// <summary>A layer has no backward rule, so a graph that differentiates through it cannot be exported.</summary>
public sealed class NoBackwardRuleException(string message) : InvalidOperationException(message);

/// <summary>
/// What a layer's differentiable ONNX emission works with (<see cref="Layer.EmitDifferentiable"/>): the graph, the weights
/// as graph values (so that an unrolled inner loop can feed each step's updated weights to the next), whether
/// normalization uses batch statistics, the name scope, and where the weights' gradients are recorded. The graph computes
/// what <see cref="Layer.Forward"/> computes with those weights; the backward rules emit the exact gradients of it
/// (dropout is inactive, as in every export).
/// </summary>
public sealed class DifferentiableEmitContext
{
    private readonly WeightCursor _weights;

    /// <summary>Starts at the root scope.</summary>
    /// <param name="graph">The graph the nodes go to.</param>
    /// <param name="weights">Every trainable parameter of what is emitted, as graph value names with their shapes, in functional-forward order.</param>
    /// <param name="training">True: normalization by the statistics of the batch (as MAML adapts); false: by the running statistics.</param>
    /// <param name="prefix">Prefix of this emission's value names (e.g. <c>step1/</c>), so unrolled copies are told apart.</param>
    /// <param name="forwardOnly">True when no backward pass will be asked for (the queries' forward): layers may emit a cheaper forward, and their backward rules must not be called.</param>
    /// <param name="statisticsRows">
    /// With <paramref name="training"/> and <paramref name="forwardOnly"/>, the name of an int64 value of shape [1], R: batch-norm
    /// layers take their statistics from the batch's first R rows only and normalize every row by them (a task's support
    /// set and its queries in one pass, the queries by the support set's statistics); null: from the whole batch.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="statisticsRows"/> without <paramref name="forwardOnly"/> and <paramref name="training"/>.</exception>
    public DifferentiableEmitContext(OnnxGraphBuilder graph, IReadOnlyList<(string Value, IReadOnlyList<long> Shape)> weights, bool training, string prefix, bool forwardOnly = false,
        string? statisticsRows = null)
        : this(graph ?? throw new ArgumentNullException(nameof(graph)), new WeightCursor(weights), training, string.Empty, prefix, new Dictionary<int, string>(), forwardOnly, statisticsRows)
    {
        if (statisticsRows is not null && !(forwardOnly && training))
        {
            throw new ArgumentException("Statistics from the first rows are for a forward-only emission with batch statistics; they have no backward rule.", nameof(statisticsRows));
        }
    }

    private DifferentiableEmitContext(OnnxGraphBuilder graph, WeightCursor weights, bool training, string scope, string prefix, Dictionary<int, string> gradients, bool forwardOnly,
        string? statisticsRows)
    {
        Graph = graph;
        _weights = weights;
        Training = training;
        Scope = scope;
        Prefix = prefix;
        Gradients = gradients;
        ForwardOnly = forwardOnly;
        StatisticsRows = statisticsRows;
    }

    /// <summary>The int64 [1] value R when batch-norm layers take their statistics from the first R rows only (see the constructor); null when from all.</summary>
    public string? StatisticsRows { get; }

    /// <summary>True when no backward pass will be asked for: layers emit their cheapest forward (max pooling without its indices).</summary>
    public bool ForwardOnly { get; }

    /// <summary>The graph being built.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>True when normalization layers use the statistics of the batch they are given.</summary>
    public bool Training { get; }

    /// <summary>The dotted path of the enclosing containers with a trailing dot, empty at the top.</summary>
    public string Scope { get; }

    /// <summary>Prefix of every value name of this emission.</summary>
    public string Prefix { get; }

    /// <summary>Gradient value of each weight (by its index in the weight list) recorded by the backward rules so far.</summary>
    public Dictionary<int, string> Gradients { get; }

    /// <summary>The context for the layers inside the container <paramref name="name"/>.</summary>
    public DifferentiableEmitContext Enter(string name) => new(Graph, _weights, Training, Scope + name + ".", Prefix, Gradients, ForwardOnly, StatisticsRows);

    /// <summary>The value name hint for <paramref name="local"/> in this scope and emission.</summary>
    public string Name(string local) => Prefix + Scope + local;

    /// <summary>The next weight (its index and value name), checked against the shape the layer expects.</summary>
    public (int Index, string Value) NextWeight(string owner, string name, ReadOnlySpan<long> shape) => _weights.Next(Scope + owner, name, shape);

    /// <summary>Throws when weights are left over: the list was made for another network.</summary>
    public void EnsureConsumed() => _weights.EnsureConsumed();

    /// <summary>Records <paramref name="gradient"/> as the gradient of weight <paramref name="index"/> (summed with one recorded before).</summary>
    public void AddGradient(int index, string gradient) =>
        Gradients[index] = Gradients.TryGetValue(index, out string? earlier) ? Graph.AddNode("Add", [earlier, gradient], Name($"grad_{index}_sum")) : gradient;

    // Small emitters the backward rules share.

    /// <summary>A float scalar constant.</summary>
    public string Constant(string hint, float value) => Graph.AddInitializer(Name(hint), [value]);

    /// <summary>An int64 vector constant (shapes, axes, pads).</summary>
    public string Longs(string hint, params long[] values) => Graph.AddInitializer(Name(hint), values, values.Length);

    /// <summary>A node with one output named after <paramref name="hint"/> in this scope.</summary>
    public string Node(string op, string hint, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Graph.AddNode(op, inputs, Name(hint), attributes);

    /// <summary>The sum over <paramref name="axes"/> (ReduceSum takes its axes as an input from opset 13, SharpShot's lowest).</summary>
    public string ReduceSum(string hint, string input, bool keepDims, params long[] axes) =>
        Node("ReduceSum", hint, [input, Longs(hint + "_axes", axes)], OnnxAttribute.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>The mean over <paramref name="axes"/>, kept (ReduceMean takes its axes as an input from opset 18, as an attribute before).</summary>
    public string ReduceMean(string hint, string input, params long[] axes) => Graph.Opset >= 18
        ? Node("ReduceMean", hint, [input, Longs(hint + "_axes", axes)], OnnxAttribute.Int("keepdims", 1))
        : Node("ReduceMean", hint, [input], OnnxAttribute.Ints("axes", axes), OnnxAttribute.Int("keepdims", 1));

    /// <summary>Axes [<paramref name="start"/>, <paramref name="end"/>) of the shape of <paramref name="input"/>, as an int64 vector.</summary>
    public string ShapeSlice(string hint, string input, long start, long end) =>
        Node("Slice", hint, [Node("Shape", hint + "_shape", [input]), Longs(hint + "_start", start), Longs(hint + "_end", end)]);

    /// <summary>The product of axes [<paramref name="start"/>, <paramref name="end"/>) of the shape of <paramref name="input"/> (an end past the rank means the last axis), as a float of shape [1]: a count to divide by.</summary>
    public string ShapeProduct(string hint, string input, long start, long end) =>
        Node("Cast", hint, [Node("ReduceProd", hint + "_long", [ShapeSlice(hint + "_axes", input, start, end)], OnnxAttribute.Int("keepdims", 1))],
            OnnxAttribute.Int("to", (long)OnnxElementType.Float));

    /// <summary>
    /// <paramref name="value"/> (N, C, h, w) zero-padded at the bottom and right to the height and width of
    /// <paramref name="like"/> grown by <paramref name="growRows"/> and <paramref name="growColumns"/> (the forward's padding): what a transposed
    /// convolution leaves short when the forward's stride did not cover the padded input.
    /// </summary>
    public string PadBottomRightTo(string hint, string value, string like, long growRows = 0, long growColumns = 0)
    {
        string target = ShapeSlice(hint + "_target", like, 2, 4);
        if (growRows != 0 || growColumns != 0)
        {
            target = Node("Add", hint + "_target_padded", [target, Longs(hint + "_grow", growRows, growColumns)]);
        }

        string extra = Node("Sub", hint + "_extra", [target, ShapeSlice(hint + "_have", value, 2, 4)]);
        string pads = Node("Concat", hint + "_pads", [Longs(hint + "_no_pads", 0, 0, 0, 0, 0, 0), extra], OnnxAttribute.Int("axis", 0));
        return Node("Pad", hint, [value, pads]);
    }

    /// <summary><paramref name="value"/> (N, C, H', W') cut to rows and columns [top, top + H) × [left, left + W) of <paramref name="like"/>'s size.</summary>
    public string CropTo(string hint, string value, string like, long top, long left) =>
        Node("Slice", hint, [value, Longs(hint + "_start", top, left),
            Node("Add", hint + "_end", [ShapeSlice(hint + "_size", like, 2, 4), Longs(hint + "_offset", top, left)]), Longs(hint + "_axes", 2, 3)]);

    private sealed class WeightCursor(IReadOnlyList<(string Value, IReadOnlyList<long> Shape)> weights)
    {
        private int _next;

        public (int Index, string Value) Next(string owner, string name, ReadOnlySpan<long> shape)
        {
            if (_next >= weights.Count)
            {
                throw new ArgumentException($"{owner}.{name} needs weight #{_next + 1}, but only {weights.Count} were given.");
            }

            var (value, given) = weights[_next];
            if (!given.SequenceEqual(shape.ToArray()))
            {
                throw new ArgumentException($"Weight #{_next + 1} ({owner}.{name}) must have shape [{string.Join(", ", shape.ToArray())}]; got [{string.Join(", ", given)}].");
            }

            return (_next++, value);
        }

        public void EnsureConsumed()
        {
            if (_next != weights.Count)
            {
                throw new ArgumentException($"The network uses {_next} weights, but {weights.Count} were given.");
            }
        }
    }
}
