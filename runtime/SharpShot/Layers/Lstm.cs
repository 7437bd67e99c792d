using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// One unidirectional LSTM layer with biases and a zero initial state, batch-first: input (N, L, inputSize)
/// → the last hidden state (N, units), or every step's (N, L, units) when <see cref="ReturnSequences"/>.
/// Parameters have PyTorch's layout (gate blocks i, f, g, o) and initialization, so weights move to and
/// from <c>torch.nn.LSTM</c> unchanged.
/// </summary>
public sealed class LstmLayer : Layer
{
    // PyTorch stacks the gate blocks i, f, g, o; ONNX i, o, f, c (c = PyTorch's g).
    private static readonly int[] OnnxGateOrder = [0, 3, 1, 2];

    private readonly Parameter weight_ih;
    private readonly Parameter weight_hh;
    private readonly Parameter bias_ih;
    private readonly Parameter bias_hh;

    /// <summary>Creates the layer with every weight and bias drawn from U(−1/√units, 1/√units), as PyTorch does.</summary>
    /// <param name="name">The layer's field name in the model.</param>
    /// <param name="inputSize">Features per time step.</param>
    /// <param name="units">Hidden (and cell) state size.</param>
    /// <param name="returnSequences">Output every step's hidden state (N, L, units) instead of only the last (N, units).</param>
    /// <param name="init">The model's seeded initializer.</param>
    public LstmLayer(string name, int inputSize, int units, bool returnSequences, LayerInit init) : base(name)
    {
        var (wih, whh, bih, bhh) = Recurrent.InitialParameters(init, 4, inputSize, units);
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

    /// <summary>Hidden (and cell) state size.</summary>
    public int Units { get; }

    /// <summary>Whether the output is every step's hidden state (N, L, units) rather than the last one (N, units).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Input-to-hidden weights (4·units, inputSize), gate blocks i, f, g, o.</summary>
    public Parameter WeightIh => weight_ih;

    /// <summary>Hidden-to-hidden weights (4·units, units), gate blocks i, f, g, o.</summary>
    public Parameter WeightHh => weight_hh;

    /// <summary>Input-to-hidden bias (4·units).</summary>
    public Parameter BiasIh => bias_ih;

    /// <summary>Hidden-to-hidden bias (4·units).</summary>
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
        // The module forward (Layer.forward) runs this same code. LibTorch's fused LSTM (aten::lstm, what
        // torch.nn.LSTM and TorchSharp's nn.LSTM run; oneDNN on x86) was ~3× faster here, but in LibTorch 2.10
        // (oneDNN 3.7.1) on AVX-512 CPUs it returns wrong outputs under no_grad for many sizes (e.g. inputSize 5,
        // units 7: max error 0.2–1.4; correct with ONEDNN_MAX_CPU_ISA=AVX2), so it is not used.
        Recurrent.CheckInput(GetName(), "LSTM", x, InputSize);
        Tensor wih = Take(parameters, "weight_ih", weight_ih);
        Tensor whh = Take(parameters, "weight_hh", weight_hh);
        Tensor bih = Take(parameters, "bias_ih", bias_ih);
        Tensor bhh = Take(parameters, "bias_hh", bias_hh);

        using var scope = NewDisposeScope();
        long steps = x.shape[1];
        long u = Units;

        // Both biases and the input projection of every step at once: (N, L, 4u).
        Tensor projected = nn.functional.linear(x, wih, bih.add(bhh));
        Tensor[] inputs = projected.unbind(1);
        Tensor whhT = whh.t();
        Tensor? h = null;
        Tensor? c = null;
        var outputs = ReturnSequences ? new Tensor[steps] : null;
        for (long t = 0; t < steps; t++)
        {
            Tensor gates = inputs[t];
            if (h is not null)
            {
                gates = addmm(gates, h, whhT, 1, 1);
            }

            // i, f and o through one sigmoid; g through tanh.
            Tensor sig = gates.sigmoid();
            Tensor i = sig.narrow(1, 0, u);
            Tensor g = gates.narrow(1, 2 * u, u).tanh();
            Tensor o = sig.narrow(1, 3 * u, u);
            c = c is null ? i.mul(g) : addcmul(sig.narrow(1, u, u).mul(c), i, g, 1);
            h = o.mul(c.tanh());
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
        Recurrent.EmitOnnx(graph, GetName(), input, "LSTM", OnnxGateOrder, Units, ReturnSequences,
            weight_ih, weight_hh, bias_ih, bias_hh);
}
