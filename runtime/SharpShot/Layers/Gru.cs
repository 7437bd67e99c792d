using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// One unidirectional GRU layer with biases and a zero initial state, batch-first: input (N, L, inputSize)
/// → the last hidden state (N, units), or every step's (N, L, units) when <see cref="ReturnSequences"/>.
/// Parameters have PyTorch's layout (gate blocks r, z, n) and initialization, and PyTorch's equations:
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (ONNX's <c>linear_before_reset = 1</c>), h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
public sealed class GruLayer : Layer
{
    // PyTorch stacks the gate blocks r, z, n; ONNX z, r, h (h = PyTorch's n).
    private static readonly int[] OnnxGateOrder = [1, 0, 2];

    private readonly Parameter weight_ih;
    private readonly Parameter weight_hh;
    private readonly Parameter bias_ih;
    private readonly Parameter bias_hh;

    /// <summary>Creates the layer with every weight and bias drawn from U(−1/√units, 1/√units), as PyTorch does.</summary>
    /// <param name="name">The layer's field name in the model.</param>
    /// <param name="inputSize">Features per time step.</param>
    /// <param name="units">Hidden state size.</param>
    /// <param name="returnSequences">Output every step's hidden state (N, L, units) instead of only the last (N, units).</param>
    /// <param name="init">The model's seeded initializer.</param>
    public GruLayer(string name, int inputSize, int units, bool returnSequences, LayerInit init) : base(name)
    {
        var (wih, whh, bih, bhh) = Recurrent.InitialParameters(init, 3, inputSize, units);
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

    /// <summary>Input-to-hidden weights (3·units, inputSize), gate blocks r, z, n.</summary>
    public Parameter WeightIh => weight_ih;

    /// <summary>Hidden-to-hidden weights (3·units, units), gate blocks r, z, n.</summary>
    public Parameter WeightHh => weight_hh;

    /// <summary>Input-to-hidden bias (3·units).</summary>
    public Parameter BiasIh => bias_ih;

    /// <summary>Hidden-to-hidden bias (3·units).</summary>
    public Parameter BiasHh => bias_hh;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight_ih, weight_hh, bias_ih, bias_hh];

    /// <inheritdoc />
    /// <remarks>
    /// The recurrence runs step by step over the supplied tensors with differentiable operations only, so
    /// gradients (also second-order, with <c>create_graph</c>) reach them.
    /// </remarks>
    /// <exception cref="ArgumentException">The input is not (batch, steps ≥ 1, inputSize).</exception>
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        // The module forward (Layer.forward) runs this same code: LibTorch's fused GRU (aten::gru) was measured
        // no faster on CPU (≤ 1.15×), and its LSTM counterpart is wrong under no_grad on AVX-512 CPUs (see LstmLayer).
        Recurrent.CheckInput(GetName(), "GRU", x, InputSize);
        Tensor wih = Take(parameters, "weight_ih", weight_ih);
        Tensor whh = Take(parameters, "weight_hh", weight_hh);
        Tensor bih = Take(parameters, "bias_ih", bias_ih);
        Tensor bhh = Take(parameters, "bias_hh", bias_hh);

        using var scope = NewDisposeScope();
        long steps = x.shape[1];
        long u = Units;

        // The input projection of every step at once: (N, L, 3u).
        Tensor projected = nn.functional.linear(x, wih, bih);
        Tensor[] inputs = projected.unbind(1);
        Tensor whhT = whh.t();
        Tensor? h = null;
        var outputs = ReturnSequences ? new Tensor[steps] : null;
        for (long t = 0; t < steps; t++)
        {
            Tensor xt = inputs[t];

            // From the zero initial state the hidden projection is just its bias.
            Tensor hidden = h is null ? bhh.expand(xt.shape) : addmm(bhh, h, whhT, 1, 1);
            Tensor rz = xt.narrow(1, 0, 2 * u).add(hidden.narrow(1, 0, 2 * u)).sigmoid();
            Tensor r = rz.narrow(1, 0, u);
            Tensor z = rz.narrow(1, u, u);
            Tensor n = addcmul(xt.narrow(1, 2 * u, u), r, hidden.narrow(1, 2 * u, u), 1).tanh();

            // h' = (1 − z) n + z h = n + z (h − n); from h = 0: n − z n.
            h = h is null ? n.sub(z.mul(n)) : addcmul(n, z, h.sub(n), 1);
            if (outputs is not null)
            {
                outputs[t] = h;
            }
        }

        Tensor result = outputs is not null ? stack(outputs, 1) : h!;
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input) =>
        Recurrent.EmitOnnx(graph, GetName(), input, "GRU", OnnxGateOrder, Units, ReturnSequences,
            weight_ih, weight_hh, bias_ih, bias_hh, OnnxAttribute.Int("linear_before_reset", 1));
}
