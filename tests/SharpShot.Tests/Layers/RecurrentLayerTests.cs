using SharpShot.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// What every recurrent layer kind must do besides computing its equations (which the layer contract checks): train its
/// own parameters, have PyTorch's layout and initialization, reject other input shapes; <see cref="LstmTests"/> and
/// <see cref="GruTests"/> run these for their kind.
/// </summary>
public abstract class RecurrentLayerTests
{
    [Fact]
    public void ModuleForwardTrainsTheOwnParameters()
    {
        using var init = new LayerInit(8);
        using var layer = Create(Kind, 6, 9, returnSequences: true, init);
        using var scope = NewDisposeScope();

        layer.zero_grad();
        layer.forward(LayerContract.Uniform(4, [5, 12, 6], -2, 2)).tanh().sum().backward();

        Assert.All(layer.OwnParameters, p => Assert.True(p.grad is not null && p.grad.abs().max().item<float>() > 0));
    }

    [Fact]
    public void ParametersHavePyTorchsLayoutAndInitialization()
    {
        using var init = new LayerInit(3);
        using var layer = Create(Kind, 5, 64, false, init);
        using var scope = NewDisposeScope();

        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], layer.named_parameters().Select(p => p.name));
        Assert.Equal(4, layer.parameters().Count());
        long rows = Gates * 64L;
        Assert.Equal([rows, 5], layer.WeightIh.shape);
        Assert.Equal([rows, 64], layer.WeightHh.shape);
        Assert.Equal([rows], layer.BiasIh.shape);
        Assert.Equal([rows], layer.BiasHh.shape);
        foreach (Parameter parameter in layer.OwnParameters)
        {
            float bound = 1 / MathF.Sqrt(64);
            Assert.True(parameter.abs().max().item<float>() <= bound);
            Assert.True(parameter.abs().max().item<float>() > 0.9f * bound);
        }
    }

    [Fact]
    public void WrongInputShapeIsRejectedNamingTheExpectedShape()
    {
        using var init = new LayerInit(5);
        using var layer = Create(Kind + "_1", 3, 5, false, init);
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => layer.forward(zeros(2, 7, 4)));
        Assert.Contains(Kind + "_1", error.Message);
        Assert.Contains("(batch, steps ≥ 1, 3)", error.Message);
        Assert.Contains("[2, 7, 4]", error.Message);
        Assert.Throws<ArgumentException>(() => layer.forward(zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => layer.forward(zeros(2, 0, 3)));
    }

    [Fact]
    public void SameSeedGivesSameWeights()
    {
        using var a = new LayerInit(9);
        using var b = new LayerInit(9);
        using var first = Create(Kind, 3, 5, false, a);
        using var second = Create(Kind, 3, 5, false, b);

        Assert.All(first.OwnParameters.Zip(second.OwnParameters), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
    }

    /// <summary>The layer name prefix, e.g. <c>lstm</c>.</summary>
    protected abstract string Kind { get; }

    /// <summary>Gate blocks stacked in each weight.</summary>
    protected abstract int Gates { get; }

    /// <summary>Creates the layer under test.</summary>
    protected abstract RecurrentLayer Create(string name, int inputSize, int units, bool returnSequences, LayerInit init);
}

public sealed class LstmTests : RecurrentLayerTests
{
    protected override string Kind => "lstm";

    protected override int Gates => 4;

    protected override RecurrentLayer Create(string name, int inputSize, int units, bool returnSequences, LayerInit init) =>
        new LstmLayer(name, inputSize, units, returnSequences, init);
}

public sealed class GruTests : RecurrentLayerTests
{
    protected override string Kind => "gru";

    protected override int Gates => 3;

    protected override RecurrentLayer Create(string name, int inputSize, int units, bool returnSequences, LayerInit init) =>
        new GruLayer(name, inputSize, units, returnSequences, init);
}
