using SharpShot.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// The checks every recurrent layer kind must pass; <see cref="LstmTests"/> and <see cref="GruTests"/> run
/// them for their kind.
/// </summary>
public abstract class RecurrentLayerTests
{
    // Sizes where the gate blocks differ in size from the input, and sequences long enough (12) that a
    // gate-order or state bug compounds instead of hiding in the first step.
    private static readonly (int InputSize, int Units)[] SizePairs = [(5, 7), (16, 32)];

    public static TheoryData<int, int, bool> Sizes()
    {
        var sizes = new TheoryData<int, int, bool>();
        foreach (var (inputSize, units) in SizePairs)
        {
            sizes.Add(inputSize, units, false);
            sizes.Add(inputSize, units, true);
        }

        return sizes;
    }

    public static TheoryData<int, int, bool, int> Cases()
    {
        var cases = new TheoryData<int, int, bool, int>();
        foreach (var (inputSize, units) in SizePairs)
        {
            foreach (bool returnSequences in new[] { false, true })
            {
                foreach (int opset in new[] { 13, 17 })
                {
                    cases.Add(inputSize, units, returnSequences, opset);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases), MemberType = typeof(RecurrentLayerTests))]
    public void OnnxRuntimeMatchesTorchSharp(int inputSize, int units, bool returnSequences, int opset)
    {
        using var init = new LayerInit(inputSize + units);
        using var layer = Create(Kind, inputSize, units, returnSequences, init);
        using var scope = NewDisposeScope();
        Tensor input = LayerParity.RandomInput(7, 3, 12, inputSize);

        double difference = LayerParity.MaxOnnxDifference(layer, input, opset);

        Assert.True(difference <= LayerParity.Tolerance, $"max |TorchSharp − ONNX Runtime| = {difference:E3}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutputIsTheLastOrEveryHiddenState(bool returnSequences)
    {
        using var init = new LayerInit(1);
        using var layer = Create(Kind, 4, 6, returnSequences, init);
        using var scope = NewDisposeScope();
        Tensor input = LayerParity.RandomInput(2, 3, 9, 4);
        using (no_grad())
        {
            Tensor output = layer.forward(input);
            Assert.Equal(returnSequences ? new long[] { 3, 9, 6 } : new long[] { 3, 6 }, output.shape);
            if (returnSequences)
            {
                // The last step of the sequence output is what returnSequences = false returns.
                using var lastInit = new LayerInit(1);
                using var last = Create(Kind, 4, 6, false, lastInit);
                Assert.Equal(0, output.select(1, 8).sub(last.forward(input)).abs().max().item<float>());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes), MemberType = typeof(RecurrentLayerTests))]
    public void FunctionalForwardEqualsModuleForward(int inputSize, int units, bool returnSequences)
    {
        using var init = new LayerInit(2 + inputSize);
        using var layer = Create(Kind, inputSize, units, returnSequences, init);
        using var scope = NewDisposeScope();
        Tensor input = LayerParity.RandomInput(3, 4, 12, inputSize);

        Assert.Equal(0, LayerParity.MaxFunctionalDifference(layer, input, training: true));
        Assert.Equal(0, LayerParity.MaxFunctionalDifference(layer, input, training: false));
    }

    [Fact]
    public void ModuleForwardTrainsTheOwnParameters()
    {
        using var init = new LayerInit(8);
        using var layer = Create(Kind, 6, 9, returnSequences: true, init);
        using var scope = NewDisposeScope();

        layer.zero_grad();
        layer.forward(LayerParity.RandomInput(4, 5, 12, 6)).tanh().sum().backward();

        Assert.All(layer.OwnParameters, p => Assert.True(p.grad is not null && p.grad.abs().max().item<float>() > 0));
    }

    [Fact]
    public void ParametersHavePyTorchsLayoutAndInitialization()
    {
        using var init = new LayerInit(3);
        using var layer = Create(Kind, 5, 64, false, init);

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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SecondOrderGradientsFlowThroughTheRecurrence(bool returnSequences)
    {
        using var init = new LayerInit(4);
        using var layer = Create(Kind, 3, 5, returnSequences, init);
        using var scope = NewDisposeScope();

        GradientChecks.AssertSecondOrderGradientsFlow(layer,
            LayerParity.RandomInput(5, 4, 12, 3), LayerParity.RandomInput(6, 4, 12, 3));
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
