using SharpShot.Native;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// LSTM (see <see cref="RecurrentLayer"/>): gate blocks i, f, g, o as in <c>torch.nn.LSTM</c>;
/// c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
/// </summary>
public sealed class LstmLayer : RecurrentLayer
{
    /// <summary>Creates the layer; see <see cref="RecurrentLayer"/>.</summary>
    public LstmLayer(string name, int inputSize, int units, bool returnSequences, LayerInit init)
        : base(name, gates: 4, inputSize, units, returnSequences, init)
    {
    }

    /// <inheritdoc />
    protected override string OpType => "LSTM";

    // PyTorch stacks the gate blocks i, f, g, o; ONNX i, o, f, c (c = PyTorch's g).
    /// <inheritdoc />
    protected override int[] OnnxGateOrder => [0, 3, 1, 2];

    /// <inheritdoc />
    protected override Tensor Recur(Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, Tensor[]? outputs)
    {
        long u = Units;

        // Both biases and the input projection of every step at once: (N, L, 4u).
        Tensor[] inputs = nn.functional.linear(x, wih, bih.Plus(bhh)).unbind(1);
        Tensor whhT = whh.t();
        Tensor? h = null;
        Tensor? c = null;
        for (int t = 0; t < inputs.Length; t++)
        {
            // From the zero initial state the hidden projection vanishes.
            Tensor gates = h is null ? inputs[t] : addmm(inputs[t], h, whhT, 1, 1);

            // i, f and o through one sigmoid; g through tanh.
            Tensor sig = gates.sigmoid();
            Tensor i = sig.narrow(1, 0, u);
            Tensor g = gates.narrow(1, 2 * u, u).tanh();
            Tensor o = sig.narrow(1, 3 * u, u);
            c = c is null ? i.mul(g) : addcmul(sig.narrow(1, u, u).mul(c), i, g, Scalars.One);
            h = o.mul(c.tanh());
            if (outputs is not null)
            {
                outputs[t] = h;
            }
        }

        return h!;
    }
}
