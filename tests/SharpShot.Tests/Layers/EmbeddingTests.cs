using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>What the embedding does besides its lookup (which the layer contract checks): id validation, id types, its table.</summary>
public class EmbeddingTests
{
    [Fact]
    public void TableIsStandardNormalLikePyTorchs()
    {
        using var init = new LayerInit(3);
        using var layer = new EmbeddingLayer("embedding", 1000, 100, init);
        using var scope = NewDisposeScope();

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
        Tensor ids = LayerContract.Ids(3, [2, 5], 20);
        using (no_grad())
        {
            Assert.True(layer.forward(ids).eq(layer.forward(ids.to_type(ScalarType.Int64))).all().item<bool>());
            Assert.Throws<ArgumentException>(() => layer.forward(tensor(new long[] { 3, 20 })));
        }
    }
}
