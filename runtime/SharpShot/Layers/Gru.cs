using SharpShot.Native;
using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// GRU (see <see cref="RecurrentLayer"/>): gate blocks r, z, n and PyTorch's equations:
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (ONNX's <c>linear_before_reset = 1</c>), h' = (1 − z) ⊙ n + z ⊙ h.
/// </summary>
public sealed class GruLayer : RecurrentLayer
{
    /// <summary>Creates the layer; see <see cref="RecurrentLayer"/>.</summary>
    public GruLayer(string name, int inputSize, int units, bool returnSequences, LayerInit init)
        : base(name, gates: 3, inputSize, units, returnSequences, init)
    {
    }

    /// <inheritdoc />
    protected override string OpType => "GRU";

    // PyTorch stacks the gate blocks r, z, n; ONNX z, r, h (h = PyTorch's n).
    /// <inheritdoc />
    protected override int[] OnnxGateOrder => [1, 0, 2];

    /// <inheritdoc />
    protected override OnnxAttribute[] OnnxAttributes => [OnnxAttribute.Int("linear_before_reset", 1)];

    /// <inheritdoc />
    protected override Tensor Recur(Tensor x, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, Tensor[]? outputs)
    {
        long u = Units;

        // The input projection of every step at once: (N, L, 3u).
        Tensor[] inputs = nn.functional.linear(x, wih, bih).unbind(1);
        Tensor whhT = whh.t();
        Tensor? h = null;
        for (int t = 0; t < inputs.Length; t++)
        {
            Tensor xt = inputs[t];

            // From the zero initial state the hidden projection is just its bias.
            Tensor hidden = h is null ? bhh.expand(xt.shape) : addmm(bhh, h, whhT, 1, 1);
            Tensor rz = xt.narrow(1, 0, 2 * u).Plus(hidden.narrow(1, 0, 2 * u)).sigmoid();
            Tensor r = rz.narrow(1, 0, u);
            Tensor z = rz.narrow(1, u, u);
            Tensor n = addcmul(xt.narrow(1, 2 * u, u), r, hidden.narrow(1, 2 * u, u), Scalars.One).tanh();

            // h' = (1 − z) n + z h = n + z (h − n); from h = 0: n − z n.
            h = h is null ? n.sub(z.mul(n)) : addcmul(n, z, h.sub(n), Scalars.One);
            if (outputs is not null)
            {
                outputs[t] = h;
            }
        }

        return h!;
    }
}
