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
        IReadOnlyList<SharpShot.Layers.ParameterDescriptor> descriptors = model.ParameterDescriptors;
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

    [Theory]
    [MemberData(nameof(Models))]
    public void FunctionalOnOwnParametersEqualsForward(string modelName)
    {
        SequentialModel model = OnnxParityTests.Create(modelName);
        OnnxParityTests.RandomizeParameters(model, seed: 3);
        model.eval();
        using var scope = NewDisposeScope();
        Tensor input = RandomBatch(model, batch: 4);
        using (no_grad())
        {
            Tensor viaModule = model.forward(input);
            Tensor viaFunctional = model.Functional(input, model.FunctionalParameters().Cast<Tensor>().ToArray(), training: false);
            Assert.Equal(0, viaModule.sub(viaFunctional).abs().max().item<float>());
            Assert.Equal(0, model.Logits(input).sub(model.FunctionalLogits(input, model.FunctionalParameters().Cast<Tensor>().ToArray(), false)).abs().max().item<float>());
        }
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
        IList<Tensor> innerGrads = autograd.grad([innerLoss], weights, retain_graph: true, create_graph: true);
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

    private static Tensor RandomBatch(SequentialModel model, int batch, int seed = 0)
    {
        long[] shape = [batch, .. model.InputShape.Select(d => (long)d)];
        return tensor(OnnxParityTests.RandomInput(model, batch, seed), shape);
    }
}
