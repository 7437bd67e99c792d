using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// What <see cref="LstmLayer"/> and <see cref="GruLayer"/> share: one unidirectional layer with biases and a
/// zero initial state, batch-first — input (N, L, inputSize) → the last hidden state (N, units), or every
/// step's (N, L, units) when <see cref="ReturnSequences"/>. Parameters have PyTorch's layout and
/// initialization, so weights move to and from <c>torch.nn.LSTM</c>/<c>GRU</c> unchanged.
/// </summary>
/// <remarks>
/// The recurrence runs step by step over the supplied tensors with differentiable operations only, so
/// gradients (also second-order, with <c>create_graph</c>) reach them; the module forward runs the same code.
/// LibTorch's fused kernels were not used: its LSTM (aten::lstm; oneDNN on x86) was ~3× faster here but, in
/// LibTorch 2.10 on AVX-512 CPUs, returns wrong outputs under no_grad for many sizes (e.g. inputSize 5,
/// units 7: max error 0.2–1.4), and its GRU was no faster (≤ 1.15×).
/// </remarks>
public abstract class RecurrentLayer : Layer
{
    private readonly Parameter weight_ih;
    private readonly Parameter weight_hh;
    private readonly Parameter bias_ih;
    private readonly Parameter bias_hh;

    /// <summary>Creates the layer with every weight and bias drawn from U(−1/√units, 1/√units), as PyTorch does.</summary>
    /// <param name="name">The layer's field name in the model.</param>
    /// <param name="gates">Gate blocks stacked in each weight: 4 for LSTM, 3 for GRU.</param>
    /// <param name="inputSize">Features per time step.</param>
    /// <param name="units">Hidden state size.</param>
    /// <param name="returnSequences">Output every step's hidden state (N, L, units) instead of only the last (N, units).</param>
    /// <param name="init">The model's seeded initializer.</param>
    protected RecurrentLayer(string name, int gates, int inputSize, int units, bool returnSequences, LayerInit init) : base(name)
    {
        var (wih, whh, bih, bhh) = Recurrent.InitialParameters(init, gates, inputSize, units);
        weight_ih = new Parameter(wih);
        weight_hh = new Parameter(whh);
        bias_ih = new Parameter(bih);
        bias_hh = new Parameter(bhh);
        InputSize = inputSize;
        Units = units;
        ReturnSequences = returnSequences;
        RegisterComponents();
    }

    /// <summary>Features per time step.</summary>
    public int InputSize { get; }

    /// <summary>Hidden state size.</summary>
    public int Units { get; }

    /// <summary>Whether the output is every step's hidden state (N, L, units) rather than the last one (N, units).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Input-to-hidden weights (gates·units, inputSize), gate blocks in PyTorch's order.</summary>
    public Parameter WeightIh => weight_ih;

    /// <summary>Hidden-to-hidden weights (gates·units, units), gate blocks in PyTorch's order.</summary>
    public Parameter WeightHh => weight_hh;

    /// <summary>Input-to-hidden bias (gates·units).</summary>
    public Parameter BiasIh => bias_ih;

    /// <summary>Hidden-to-hidden bias (gates·units).</summary>
    public Parameter BiasHh => bias_hh;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight_ih, weight_hh, bias_ih, bias_hh];

    /// <summary>The ONNX operator, also the kind named in errors: <c>LSTM</c> or <c>GRU</c>.</summary>
    protected abstract string OpType { get; }

    /// <summary>For each ONNX gate block in order, the index of the PyTorch gate block it takes.</summary>
    protected abstract int[] OnnxGateOrder { get; }

    /// <summary>Operator attributes besides <c>hidden_size</c>.</summary>
    protected virtual OnnxAttribute[] OnnxAttributes => [];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The input is not (batch, steps ≥ 1, inputSize).</exception>
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        Recurrent.CheckInput(GetName(), OpType, x, InputSize);
        Tensor wih = Take(parameters, "weight_ih", weight_ih);
        Tensor whh = Take(parameters, "weight_hh", weight_hh);
        Tensor bih = Take(parameters, "bias_ih", bias_ih);
        Tensor bhh = Take(parameters, "bias_hh", bias_hh);

        using var scope = NewDisposeScope();
        var outputs = ReturnSequences ? new Tensor[x.shape[1]] : null;
        Tensor last = Recur(x, wih, whh, bih, bhh, outputs);
        Tensor result = outputs is not null ? stack(outputs, 1) : last;
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        Tensor wih = Take(context.Weights, "weight_ih", weight_ih);
        Tensor whh = Take(context.Weights, "weight_hh", weight_hh);
        Tensor bih = Take(context.Weights, "bias_ih", bias_ih);
        Tensor bhh = Take(context.Weights, "bias_hh", bias_hh);
        return Recurrent.EmitOnnx(context.Graph, PathIn(context), input, OpType, OnnxGateOrder, Units, ReturnSequences, wih, whh, bih, bhh, OnnxAttributes);
    }

    /// <summary>
    /// Runs the recurrence over the steps of <paramref name="x"/> (N, L, inputSize) from a zero state with the
    /// given parameters; stores each step's hidden state in <paramref name="outputs"/> when it is not null, and
    /// returns the last one (N, units).
    /// </summary>
    protected abstract Tensor Recur(Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, Tensor[]? outputs);
}

/// <summary>
/// <see cref="RecurrentLayer"/>'s helpers: PyTorch's parameter initialization, the batch-first input check,
/// and the ONNX emission (weights re-ordered into ONNX's gate order, batch-first ↔ sequence-first transposes
/// around the operator).
/// </summary>
internal static class Recurrent
{
    /// <summary>
    /// PyTorch's initialization of every recurrent weight and bias: U(−1/√units, 1/√units), drawn in
    /// parameter order (weight_ih, weight_hh, bias_ih, bias_hh).
    /// </summary>
    public static (Tensor WeightIh, Tensor WeightHh, Tensor BiasIh, Tensor BiasHh) InitialParameters(
        LayerInit init, int gates, int inputSize, int units)
    {
        ArgumentNullException.ThrowIfNull(init);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        double bound = 1 / Math.Sqrt(units);
        long rows = (long)gates * units;
        return (init.Uniform([rows, inputSize], bound), init.Uniform([rows, units], bound),
            init.Uniform([rows], bound), init.Uniform([rows], bound));
    }

    /// <summary>Throws a clear error unless <paramref name="x"/> is batch-first (N, L ≥ 1, inputSize).</summary>
    public static void CheckInput(string layer, string kind, Tensor x, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 3 || x.shape[2] != inputSize || x.shape[1] < 1)
        {
            throw new ArgumentException(
                $"{kind} layer '{layer}' expects input of shape (batch, steps ≥ 1, {inputSize}); got [{string.Join(", ", x.shape)}].", nameof(x));
        }
    }

    /// <summary>
    /// Emits one ONNX LSTM or GRU node over <paramref name="input"/> (batch-first, (N, L, in)) and returns the
    /// layer's output: (N, L, units) when <paramref name="returnSequences"/>, else the last hidden state (N, units).
    /// </summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="layer">The layer's name: a prefix for its initializers and values.</param>
    /// <param name="input">The batch-first input value.</param>
    /// <param name="opType"><c>LSTM</c> or <c>GRU</c>.</param>
    /// <param name="onnxGateOrder">For each ONNX gate block in order, the index of the PyTorch gate block it takes.</param>
    /// <param name="units">Hidden size.</param>
    /// <param name="returnSequences">Whether every step's hidden state is the output, or only the last.</param>
    /// <param name="weightIh">PyTorch weight_ih (gates·units, in).</param>
    /// <param name="weightHh">PyTorch weight_hh (gates·units, units).</param>
    /// <param name="biasIh">PyTorch bias_ih (gates·units).</param>
    /// <param name="biasHh">PyTorch bias_hh (gates·units).</param>
    /// <param name="attributes">Operator-specific attributes besides <c>hidden_size</c>.</param>
    public static string EmitOnnx(OnnxGraphBuilder graph, string layer, string input, string opType, int[] onnxGateOrder,
        int units, bool returnSequences, Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh,
        params OnnxAttribute[] attributes)
    {
        ArgumentNullException.ThrowIfNull(graph);
        long rows = (long)onnxGateOrder.Length * units;

        // ONNX W (1, G·u, in), R (1, G·u, u) and B (1, 2·G·u) = [Wb, Rb], gate blocks in ONNX's order.
        string w = graph.AddInitializer($"{layer}.W", Reorder(weightIh, onnxGateOrder), 1, rows, weightIh.shape[1]);
        string r = graph.AddInitializer($"{layer}.R", Reorder(weightHh, onnxGateOrder), 1, rows, units);
        string b = graph.AddInitializer($"{layer}.B", [.. Reorder(biasIh, onnxGateOrder), .. Reorder(biasHh, onnxGateOrder)], 1, 2 * rows);

        // The operator (in its opset 7/14 form without the layout attribute) is sequence-first.
        string sequenceFirst = graph.AddNode("Transpose", [input], $"{layer}_sequence_first", OnnxAttribute.Ints("perm", 1, 0, 2));
        OnnxAttribute[] all = [OnnxAttribute.Int("hidden_size", units), .. attributes];
        if (returnSequences)
        {
            // Y: (L, directions = 1, N, u) → (L, N, u) → (N, L, u).
            string y = graph.AddNode(opType, [sequenceFirst, w, r, b], [$"{layer}_Y"], all)[0];
            string squeezed = Squeeze(graph, y, 1, $"{layer}_steps");
            return graph.AddNode("Transpose", [squeezed], layer, OnnxAttribute.Ints("perm", 1, 0, 2));
        }

        // Y_h: (directions = 1, N, u) → (N, u).
        string yh = graph.AddNode(opType, [sequenceFirst, w, r, b], ["", $"{layer}_Y_h"], all)[1];
        return Squeeze(graph, yh, 0, layer);
    }

    /// <summary>Removes axis <paramref name="axis"/> (of size 1): axes are an input from opset 13, an attribute before.</summary>
    private static string Squeeze(OnnxGraphBuilder graph, string value, long axis, string outputHint)
    {
        if (graph.Opset >= 13)
        {
            string axes = graph.AddInitializer($"{outputHint}_axes", [axis], 1);
            return graph.AddNode("Squeeze", [value, axes], outputHint);
        }

        return graph.AddNode("Squeeze", [value], outputHint, OnnxAttribute.Ints("axes", axis));
    }

    /// <summary>The parameter's values (row-major) with its gate blocks (along axis 0) in <paramref name="order"/>.</summary>
    private static float[] Reorder(Tensor parameter, int[] order)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            Tensor[] blocks = parameter.detach().cpu().chunk(order.Length, 0);
            return cat(order.Select(i => blocks[i]).ToArray(), 0).contiguous().data<float>().ToArray();
        }
    }
}
