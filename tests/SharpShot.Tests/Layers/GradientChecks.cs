using SharpShot.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>MAML-style check that a layer's functional forward carries second-order gradients to its parameters.</summary>
internal static class GradientChecks
{
    /// <summary>
    /// One differentiable inner step on <paramref name="support"/> (adapted = w − 0.1·∂L/∂w, with
    /// create_graph), then the meta-gradient of a loss on <paramref name="query"/>: it must be finite,
    /// non-zero for every parameter, and differ from the first-order (FOMAML) one — the Hessian term flows.
    /// </summary>
    public static void AssertSecondOrderGradientsFlow(Layer layer, Tensor support, Tensor query)
    {
        Tensor[] weights = layer.OwnParameters.Select(p => p.detach().clone().requires_grad_()).ToArray();

        Tensor Loss(Tensor input, IReadOnlyList<Tensor> parameters)
        {
            var cursor = new ParameterCursor(parameters);
            Tensor output = layer.Forward(input, cursor, training: true);
            cursor.EnsureConsumed();
            return output.tanh().sub(0.3).pow(2).mean();
        }

        // Unlike PyTorch, TorchSharp does not retain the graph when create_graph is set: the meta-gradient
        // runs back through the inner forward, so it must be kept explicitly (else LibTorch aborts the process).
        IList<Tensor> innerGrads = autograd.grad([Loss(support, weights)], weights, retain_graph: true, create_graph: true);
        Tensor[] adapted = weights.Zip(innerGrads, (w, g) => w - 0.1 * g).ToArray();
        IList<Tensor> metaGrads = autograd.grad([Loss(query, adapted)], weights);

        Tensor[] adaptedFirstOrder = weights.Zip(innerGrads, (w, g) => w - 0.1 * g.detach()).ToArray();
        IList<Tensor> firstOrderGrads = autograd.grad([Loss(query, adaptedFirstOrder)], weights);

        Assert.Equal(weights.Length, metaGrads.Count);
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.True(metaGrads[i].isfinite().all().item<bool>(), $"meta-gradient #{i} is not finite");
            Assert.True(metaGrads[i].abs().max().item<float>() > 0, $"meta-gradient #{i} is all zero");
        }

        double secondOrderPart = metaGrads.Zip(firstOrderGrads, (a, b) => a.sub(b).abs().max().item<float>()).Max();
        Assert.True(secondOrderPart > 1e-7, $"second-order and first-order meta-gradients differ by only {secondOrderPart:E2}");
    }
}
