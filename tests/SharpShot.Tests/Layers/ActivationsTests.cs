using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class ActivationsTests
{
    private static readonly string[] Kinds = ["LeakyRelu", "Elu", "Gelu", "Silu", "Sigmoid", "Tanh", "LogSoftmax"];

    public static TheoryData<string, int> KindsAndOpsets()
    {
        var data = new TheoryData<string, int>();
        foreach (string kind in Kinds)
        {
            // Gelu: 13 and 17 export the erf formula, 20+ the Gelu operator.
            foreach (int opset in new[] { 13, 17, 20, 21 })
            {
                data.Add(kind, opset);
            }
        }

        return data;
    }

    public static TheoryData<string> KindNames() => [.. Kinds];

    [Theory]
    [MemberData(nameof(KindsAndOpsets))]
    public void OnnxRuntimeMatchesTorchSharpOnVectorsAndFeatureMaps(string kind, int opset)
    {
        using Layer layer = Create(kind);
        LayerChecks.AssertOnnxMatches(layer, LayerParity.RandomInput(1, 4, 10).mul_(2), opset);
        LayerChecks.AssertOnnxMatches(layer, LayerParity.RandomInput(2, 2, 3, 4, 5).mul_(2), opset);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public void FunctionalForwardMatchesModule(string kind)
    {
        using Layer layer = Create(kind);
        LayerChecks.AssertFunctionalMatches(layer, LayerParity.RandomInput(3, 4, 10));
        Assert.Empty(layer.OwnParameters);
    }

    [Fact]
    public void FormulasMatchTheirDefinitions()
    {
        Tensor x = LayerParity.RandomInput(5, 3, 7).mul_(2);
        Tensor Run(string kind)
        {
            using Layer layer = Create(kind);
            return layer.forward(x);
        }

        void Same(Tensor expected, Tensor actual) => Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6));
        Same(where(x.ge(0), x, x.mul(0.2)), Run("LeakyRelu"));
        Same(where(x.gt(0), x, x.exp().sub(1).mul(1.5)), Run("Elu"));
        Same(x.mul(0.5).mul(x.div(Math.Sqrt(2)).erf().add(1)), Run("Gelu"));
        Same(x.mul(x.sigmoid()), Run("Silu"));
        Same(x.softmax(-1).log(), Run("LogSoftmax"));
    }

    private static Layer Create(string kind) => kind switch
    {
        "LeakyRelu" => new LeakyReluLayer("act", 0.2),
        "Elu" => new EluLayer("act", 1.5),
        "Gelu" => new GeluLayer("act"),
        "Silu" => new SiluLayer("act"),
        "Sigmoid" => new SigmoidLayer("act"),
        "Tanh" => new TanhLayer("act"),
        "LogSoftmax" => new LogSoftmaxLayer("act"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
