using SharpShot.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>Gradient checks shared by several layer kinds.</summary>
internal static class GradientChecks
{
    /// <summary>
    /// Runs the functional forward on copies of the layer's parameters, takes the first-order gradients of Σy² with
    /// <c>create_graph</c> (what a MAML inner step does), then the gradients of their sum: every one must be finite and
    /// not all zero, so second-order terms reach every parameter.
    /// </summary>
    public static void AssertSecondOrderGradients(Layer layer, Tensor input, bool training)
    {
        using var scope = NewDisposeScope();
        Tensor[] parameters = layer.OwnParameters.Select(p => p.detach().clone().requires_grad_(true)).ToArray();
        var cursor = new ParameterCursor(parameters);
        Tensor loss = layer.Forward(input, cursor, training).pow(2).sum();
        cursor.EnsureConsumed();

        // TorchSharp does not retain the graph when create_graph is set: the second gradient runs back through it. An
        // unused parameter is reported by an assertion, not by LibTorch's error (which would end the test process).
        IList<Tensor> first = autograd.grad([loss], parameters, retain_graph: true, create_graph: true, allow_unused: true);
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.True(IsNonZeroAndFinite(first[i]), $"{layer.GetName()}: first-order gradient #{i} is missing, zero or not finite");
        }

        Tensor total = first.Select(g => g.sum()).Aggregate((a, b) => a.add(b));
        IList<Tensor> second = autograd.grad([total], parameters, allow_unused: true);
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.True(IsNonZeroAndFinite(second[i]), $"{layer.GetName()}: second-order gradient #{i} is missing, zero or not finite");
        }
    }

    /// <summary>
    /// Asserts the gradient with respect to the input (what earlier layers train on) matches the same computation
    /// in float64, which LibTorch runs on other kernels than float32 (no oneDNN), within 1e-4 relative to its scale.
    /// </summary>
    public static void AssertInputGradientMatchesDoublePrecision(Layer layer, Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor InputGradient(ScalarType type)
        {
            Tensor x = input.to(type).requires_grad_(true);
            Tensor[] parameters = layer.OwnParameters.Select(p => p.detach().to(type)).ToArray();
            Tensor y = layer.Forward(x, new ParameterCursor(parameters), training: false);
            Tensor outputWeights = LayerContract.Uniform(99, y.shape, -2, 2).to(type);
            return autograd.grad([y.mul(outputWeights).sum()], [x])[0].to(ScalarType.Float64);
        }

        Tensor expected = InputGradient(ScalarType.Float64);
        double difference = InputGradient(ScalarType.Float32).sub(expected).abs().max().item<double>();
        double scale = Math.Max(1, expected.abs().max().item<double>());
        Assert.True(difference <= 1e-4 * scale, $"{layer.GetName()}: input gradient differs from float64 by {difference:E3} (scale {scale:G3})");
    }

    private static bool IsNonZeroAndFinite(Tensor? gradient) =>
        gradient is not null && !gradient.IsInvalid && gradient.isfinite().all().item<bool>() && gradient.abs().max().item<float>() > 0;
}
