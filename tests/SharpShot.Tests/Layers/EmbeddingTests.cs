using SharpShot.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class EmbeddingTests
{
    [Theory]
    [InlineData(50, 8, 13)]
    [InlineData(50, 8, 17)]
    [InlineData(1000, 32, 13)]
    [InlineData(1000, 32, 17)]
    public void OnnxRuntimeMatchesTorchSharp(int vocabulary, int dimension, int opset)
    {
        using var init = new LayerInit(vocabulary + dimension);
        using var layer = new EmbeddingLayer("embedding", vocabulary, dimension, init);
        using var scope = NewDisposeScope();
        Tensor ids = RandomIds(1, vocabulary, 4, 12);

        double difference = LayerParity.MaxOnnxDifference(layer, ids, opset);

        Assert.True(difference <= LayerParity.Tolerance, $"max |TorchSharp − ONNX Runtime| = {difference:E3}");
    }

    [Fact]
    public void LooksUpOneRowPerId()
    {
        using var init = new LayerInit(1);
        using var layer = new EmbeddingLayer("embedding", 10, 3, init);
        using var scope = NewDisposeScope();
        Tensor ids = tensor(new float[] { 0, 9, 4, 4, 1, 0 }, [2, 3]);
        using (no_grad())
        {
            Tensor output = layer.forward(ids);

            Assert.Equal([2L, 3, 3], output.shape);
            Assert.True(output[0, 1].eq(layer.Weight[9]).all().item<bool>());
            Assert.True(output[1, 0].eq(layer.Weight[4]).all().item<bool>());
            Assert.True(output[1, 2].eq(layer.Weight[0]).all().item<bool>());
        }
    }

    [Fact]
    public void FunctionalForwardEqualsModuleForward()
    {
        using var init = new LayerInit(2);
        using var layer = new EmbeddingLayer("embedding", 30, 6, init);
        using var scope = NewDisposeScope();
        Tensor ids = RandomIds(2, 30, 5, 7);

        Assert.Equal(0, LayerParity.MaxFunctionalDifference(layer, ids, training: true));
        Assert.Equal(0, LayerParity.MaxFunctionalDifference(layer, ids, training: false));
    }

    [Fact]
    public void TableIsStandardNormalLikePyTorchs()
    {
        using var init = new LayerInit(3);
        using var layer = new EmbeddingLayer("embedding", 1000, 100, init);

        Assert.Equal([1000L, 100], layer.Weight.shape);
        Assert.Equal("weight", Assert.Single(layer.named_parameters()).name);
        Assert.InRange(layer.Weight.mean().item<float>(), -0.01, 0.01);
        Assert.InRange(layer.Weight.std().item<float>(), 0.99, 1.01);
    }

    [Theory]
    [InlineData(50f, "token id 50 at index [1, 2] is outside the vocabulary of 50 ids (valid ids are 0 to 49)")]
    [InlineData(-1f, "token id -1 at index [1, 2] is outside the vocabulary of 50 ids")]
    [InlineData(1e9f, "token id 1000000000 at index [1, 2] is outside the vocabulary of 50 ids")]
    [InlineData(2.5f, "token id 2.5 at index [1, 2] is not a whole number")]
    [InlineData(float.NaN, "token id NaN at index [1, 2] is not a finite number")]
    [InlineData(float.PositiveInfinity, "token id Infinity at index [1, 2] is not a finite number (valid ids are 0 to 49)")]
    public void InvalidIdsAreRejectedNamingTheIdAndTheVocabulary(float id, string expected)
    {
        using var init = new LayerInit(4);
        using var layer = new EmbeddingLayer("embedding_1", 50, 4, init);
        using var scope = NewDisposeScope();
        Tensor ids = tensor(new float[] { 0, 1, 2, 3, 4, id }, [2, 3]);

        var error = Assert.Throws<ArgumentException>(() => layer.forward(ids));

        Assert.Contains("embedding_1", error.Message);
        Assert.Contains(expected, error.Message);
        var functional = Assert.Throws<ArgumentException>(() =>
            layer.Forward(ids, new ParameterCursor([layer.Weight.detach().clone()]), training: false));
        Assert.Contains(expected, functional.Message);
    }

    [Fact]
    public void IntegerIdsWorkToo()
    {
        using var init = new LayerInit(5);
        using var layer = new EmbeddingLayer("embedding", 20, 4, init);
        using var scope = NewDisposeScope();
        Tensor ids = RandomIds(3, 20, 2, 5);
        using (no_grad())
        {
            Assert.True(layer.forward(ids).eq(layer.forward(ids.to_type(ScalarType.Int64))).all().item<bool>());
            Assert.Throws<ArgumentException>(() => layer.forward(tensor(new long[] { 3, 20 })));
        }
    }

    [Fact]
    public void SecondOrderGradientsFlowIntoTheTable()
    {
        using var init = new LayerInit(6);
        using var layer = new EmbeddingLayer("embedding", 8, 5, init);
        using var scope = NewDisposeScope();

        // Every id appears in both batches, so every row of the table gets a (second-order) meta-gradient.
        GradientChecks.AssertSecondOrderGradientsFlow(layer,
            tensor(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 3, 1 }, [2, 5]),
            tensor(new float[] { 7, 6, 5, 4, 3, 2, 1, 0, 2, 2 }, [2, 5]));
    }

    [Fact]
    public void VocabularyBeyondFloat32ExactIdsIsRejected()
    {
        using var init = new LayerInit(7);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingLayer("embedding", EmbeddingLayer.MaxVocabulary + 1, 1, init));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingLayer("embedding", 0, 4, init));
    }

    /// <summary>Uniform random ids in [0, vocabulary), as float32 like a host feeds them.</summary>
    private static Tensor RandomIds(int seed, int vocabulary, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return randint(0, vocabulary, shape, generator: generator).to_type(ScalarType.Float32);
    }
}
