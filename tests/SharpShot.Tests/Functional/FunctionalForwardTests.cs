using SharpShot.Layers;
using SharpShot.Tests.Layers;
using SharpShot.Tests.Models;
using SharpShot.Tests.Parity;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Tests.Functional;

/// <summary>The generated functional forward: what MAML-style inner loops run with adapted weights instead of cloned modules.</summary>
public class FunctionalForwardTests
{
    public static TheoryData<string> Models() => OnnxParityTests.Models();

    [Theory]
    [MemberData(nameof(Models))]
    public void DescriptorsNameAndShapeEveryParameterInOrder(string modelName)
    {
        SequentialModel model = OnnxParityTests.Create(modelName);
        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        IReadOnlyList<ParameterDescriptor> descriptors = model.ParameterDescriptors;
        var functional = model.FunctionalParameters();

        Assert.Equal(named.Count, descriptors.Count);
        Assert.Equal(descriptors.Count, functional.Count);
        for (int i = 0; i < descriptors.Count; i++)
        {
            Assert.Equal(named[descriptors[i].Name], descriptors[i].Shape);
            Assert.Equal(descriptors[i].Shape, functional[i].shape);
        }

        Assert.Equal(model.ParameterCount, descriptors.Sum(d => d.Shape.Aggregate(1L, (a, b) => a * b)));
    }

    public static TheoryData<string, bool> ReferencedModelsAndModes()
    {
        // Training mode differs from eval only with batch norm, and has a reference only without dropout.
        var data = new TheoryData<string, bool>();
        foreach ((string name, ModelReference reference) in ModelReferences.All)
        {
            data.Add(name, false);
            if (reference.HasBatchNorm && !reference.HasDropout)
            {
                data.Add(name, true);
            }
        }

        return data;
    }

    /// <summary>
    /// The generated functional forward on weights that are not the model's own equals the model's reference, composed from
    /// the per-layer references (the module forward runs the functional one over the module's parameters, so comparing the
    /// two would compare a function with itself); so does the module forward once those weights are copied in.
    /// </summary>
    [Theory]
    [MemberData(nameof(ReferencedModelsAndModes))]
    public void FunctionalForwardOnOtherWeightsEqualsTheComposedReference(string modelName, bool training)
    {
        ModelReference reference = ModelReferences.All[modelName];
        using SequentialModel model = reference.Create();
        OnnxParityTests.WarmUpRunningStatistics(model, batch: 8);
        using var scope = NewDisposeScope();
        Tensor input = RandomBatch(model, batch: 4, seed: 7);
        Tensor[] weights = OtherWeights(model, seed: modelName.Length);
        Tensor expectedLogits = Reference.Run(reference.Logits, input, weights, model.named_buffers(), training);
        Tensor expected = Reference.Run(reference.Output, input, weights, model.named_buffers(), training);
        Assert.Equal(reference.Probabilities, model.OutputsProbabilities);

        using (no_grad())
        {
            LayerContract.AssertClose(expectedLogits, model.FunctionalLogits(input, weights, training), $"{modelName}: functional logits");
            LayerContract.AssertClose(expected, model.Functional(input, weights, training), $"{modelName}: functional forward");

            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach ((ParameterDescriptor descriptor, Tensor weight) in model.ParameterDescriptors.Zip(weights))
            {
                parameters[descriptor.Name].copy_(weight);
            }

            model.train(training);
            LayerContract.AssertClose(expectedLogits, model.Logits(input), $"{modelName}: module logits on the copied weights");
            LayerContract.AssertClose(expected, model.forward(input), $"{modelName}: module forward on the copied weights");
        }

        Assert.True(expected.abs().max().item<double>() > 0.1, $"{modelName}: outputs are all near zero, so the comparison proves little");
    }

    [Fact]
    public void SecondOrderGradientsFlowThroughAnInnerStep()
    {
        var model = new EveryLayerNet();
        OnnxParityTests.RandomizeParameters(model, seed: 5);
        using var scope = NewDisposeScope();
        Tensor support = RandomBatch(model, 6, seed: 1);
        Tensor query = RandomBatch(model, 6, seed: 2);
        Tensor labels = tensor(new long[] { 0, 1, 2, 3, 4, 0 });
        Tensor[] weights = model.FunctionalParameters().Cast<Tensor>().ToArray();

        // One MAML inner step, differentiable: adapted = w - 0.1 * dL_support/dw.
        Tensor innerLoss = nn.functional.cross_entropy(model.FunctionalLogits(support, weights, training: false), labels);
        // An unused weight fails the assertion here rather than LibTorch's check, which would end the test process.
        IList<Tensor> innerGrads = autograd.grad([innerLoss], weights, retain_graph: true, create_graph: true, allow_unused: true);
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.True(innerGrads[i] is { IsInvalid: false } g && g.abs().max().item<float>() > 0, $"{model.ParameterDescriptors[i].Name} gets no gradient: the functional forward does not use it");
        }

        Tensor[] adapted = weights.Zip(innerGrads, (w, g) => w - 0.1 * g).ToArray();
        Tensor outerLoss = nn.functional.cross_entropy(model.FunctionalLogits(query, adapted, training: false), labels);
        IList<Tensor> metaGrads = autograd.grad([outerLoss], weights);

        // First-order (FOMAML) for comparison: the inner gradient treated as a constant.
        Tensor[] adaptedFirstOrder = weights.Zip(innerGrads, (w, g) => w - 0.1 * g.detach()).ToArray();
        Tensor firstOrderLoss = nn.functional.cross_entropy(model.FunctionalLogits(query, adaptedFirstOrder, training: false), labels);
        IList<Tensor> firstOrderGrads = autograd.grad([firstOrderLoss], weights);

        Assert.Equal(weights.Length, metaGrads.Count);
        Assert.All(metaGrads, g => Assert.True(g.isfinite().all().item<bool>()));
        Assert.True(metaGrads.Sum(g => g.abs().sum().item<float>()) > 0);
        double secondOrderPart = metaGrads.Zip(firstOrderGrads, (a, b) => a.sub(b).abs().max().item<float>()).Max();
        Assert.True(secondOrderPart > 1e-6, $"second-order and first-order meta-gradients differ by only {secondOrderPart:E2}");
    }

    [Fact]
    public void WrongParameterListsAreRejectedNamingWhatWasExpected()
    {
        var model = new LogitsNet();
        using var scope = NewDisposeScope();
        Tensor input = RandomBatch(model, 2);
        Tensor[] weights = model.FunctionalParameters().Cast<Tensor>().ToArray();

        var tooFew = Assert.Throws<ArgumentException>(() => model.FunctionalLogits(input, weights[..^1], false));
        Assert.Contains("dense_4.bias", tooFew.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => model.FunctionalLogits(input, [.. weights, zeros(3)], false));
        Assert.Contains("5 were given", tooMany.Message);
        Tensor[] swapped = [weights[1], weights[0], .. weights[2..]];
        var wrongShape = Assert.Throws<ArgumentException>(() => model.FunctionalLogits(input, swapped, false));
        Assert.Contains("conv2d_1.weight", wrongShape.Message);
    }

    /// <summary>Random weights in <see cref="SequentialModel.ParameterDescriptors"/> order, not the model's own.</summary>
    internal static Tensor[] OtherWeights(SequentialModel model, int seed) =>
        LayerContract.RandomWeights(model.ParameterDescriptors.Select(d => (d.Name, d.Shape.ToArray())), seed);

    internal static Tensor RandomBatch(SequentialModel model, int batch, int seed = 0)
    {
        long[] shape = [batch, .. model.InputShape.Select(d => (long)d)];
        return tensor(OnnxParityTests.RandomInput(model, batch, seed), shape);
    }
}
