using SharpShot.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>Assertions shared by the layer tests: ONNX parity, functional parity, second-order gradients.</summary>
internal static class LayerChecks
{
    /// <summary>Overwrites <paramref name="parameter"/> with U(<paramref name="low"/>, <paramref name="high"/>) values, seeded.</summary>
    public static void Randomize(Parameter parameter, int seed, double low, double high)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        using (no_grad())
        {
            parameter.copy_(rand(parameter.shape, generator: generator).mul_(high - low).add_(low));
        }
    }

    /// <summary>Asserts ONNX Runtime and TorchSharp agree within the tolerance at <paramref name="opset"/>, and that the output is not trivially small.</summary>
    public static void AssertOnnxMatches(Layer layer, Tensor input, int opset)
    {
        double difference = LayerParity.MaxOnnxDifference(layer, input, opset);
        Assert.True(difference <= LayerParity.Tolerance, $"{layer.GetName()} at opset {opset}: max |TorchSharp − ONNX Runtime| = {difference:E3}");
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            double largest = layer.forward(input).abs().max().item<float>();
            Assert.True(largest > 0.1, $"{layer.GetName()}: outputs are all near zero ({largest:E2}), so the comparison proves little");
        }
    }

    /// <summary>Asserts the functional forward over the layer's own parameters equals the module forward, in training and in eval mode.</summary>
    public static void AssertFunctionalMatches(Layer layer, Tensor input)
    {
        Assert.Equal(0, LayerParity.MaxFunctionalDifference(layer, input, training: false));
        Assert.Equal(0, LayerParity.MaxFunctionalDifference(layer, input, training: true));
    }

    /// <summary>
    /// Runs the functional forward on copies of the layer's parameters, takes first-order gradients of Σy² with
    /// <c>create_graph</c>, then the gradients of the sum of those: every one must be finite and not all zero.
    /// </summary>
    public static void AssertSecondOrderGradients(Layer layer, Tensor input, bool training)
    {
        using var scope = NewDisposeScope();
        Tensor[] parameters = layer.OwnParameters.Select(p => p.detach().clone().requires_grad_(true)).ToArray();
        Tensor loss = layer.Forward(input, new ParameterCursor(parameters), training).pow(2).sum();
        IList<Tensor> first = autograd.grad([loss], parameters, retain_graph: true, create_graph: true);
        Tensor total = first.Select(g => g.sum()).Aggregate((a, b) => a.add(b));
        IList<Tensor> second = autograd.grad([total], parameters, allow_unused: true);
        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.True(first[i].isfinite().all().item<bool>() && first[i].abs().max().item<float>() > 0,
                $"{layer.GetName()}: first-order gradient #{i} is zero or not finite");
            Assert.True(second[i] is not null && second[i].isfinite().all().item<bool>() && second[i].abs().max().item<float>() > 0,
                $"{layer.GetName()}: second-order gradient #{i} is missing, zero or not finite");
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
            Tensor weights = LayerParity.RandomInput(99, y.shape).to(type);
            return autograd.grad([y.mul(weights).sum()], [x])[0].to(ScalarType.Float64);
        }

        Tensor expected = InputGradient(ScalarType.Float64);
        double difference = InputGradient(ScalarType.Float32).sub(expected).abs().max().item<double>();
        double scale = Math.Max(1, expected.abs().max().item<double>());
        Assert.True(difference <= 1e-4 * scale, $"{layer.GetName()}: input gradient differs from float64 by {difference:E3} (scale {scale:G3})");
    }
}
