using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

public class ReshapeTests
{
    public static TheoryData<string, int> CasesAndOpsets()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "12->3x4", "2x3x4->6x4", "24->2x3x4", "2x3x4->24" })
        {
            foreach (int opset in new[] { 13, 17, 20 })
            {
                data.Add(name, opset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CasesAndOpsets))]
    public void OnnxRuntimeMatchesTorchSharp(string @case, int opset)
    {
        using var layer = Create(@case, out Tensor input);
        LayerChecks.AssertOnnxMatches(layer, input, opset);
    }

    [Theory]
    [InlineData("12->3x4")]
    [InlineData("2x3x4->24")]
    public void KeepsTheBatchAndGivesEachSampleTheTargetShape(string @case)
    {
        using var layer = Create(@case, out Tensor input);
        Tensor output = layer.forward(input);
        Assert.Equal(new[] { input.shape[0] }.Concat(layer.Shape), output.shape);
        Assert.True(output.flatten().eq(input.flatten()).all().item<bool>());
        LayerChecks.AssertFunctionalMatches(layer, input);
    }

    [Fact]
    public void UnresolvedShapesAreRejected() => Assert.Throws<ArgumentException>(() => new ReshapeLayer("reshape", 3, -1));

    private static ReshapeLayer Create(string @case, out Tensor input)
    {
        int[] Dims(string s) => s.Split('x').Select(int.Parse).ToArray();
        string[] parts = @case.Split("->");
        input = LayerParity.RandomInput(@case.Length, [3, .. Dims(parts[0]).Select(d => (long)d)]);
        return new ReshapeLayer("reshape", Dims(parts[1]));
    }
}
