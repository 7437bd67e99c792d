using System.Security.Cryptography;

namespace SharpShot.Onnx.Tests;

/// <summary>
/// Pins the exact bytes of models built from scratch. The training side's exports are compared byte for byte
/// before and after a refactor, so a change to how the builder serializes a new graph must be deliberate: the
/// hashes below were taken from the builder before it learned to start from existing models.
/// </summary>
public class ByteStabilityTests
{
    [Theory]
    [InlineData(8, "fce5bf48900e6fb3f095dca188b1f82fd3fea402eac1ba583de05a97cbac9da5")]   // IR version 3: initializers are also graph inputs
    [InlineData(17, "5ec46ec0d4d0f10ef9a78b58f2cc892310d28829e40ac602ee87b1ff5b00ec32")]  // the default opset
    [InlineData(21, "8704d2e5ae8411983b3d467f97d6de0793127218852c6d84f2315bba229fa2cc")]
    public void A_graph_built_from_scratch_serializes_to_the_pinned_bytes(int opset, string sha256)
    {
        var bytes = EveryFeature(opset).ToBytes();

        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>A graph using every builder feature: inputs, both initializer kinds, every attribute kind, optional inputs and outputs, repeated hints, several outputs, metadata set twice, a doc string.</summary>
    private static OnnxGraphBuilder EveryFeature(int opset)
    {
        var b = SampleGraphs.SmallCnn(opset);
        b.ProducerVersion = "pinned";
        b.DocString = "every feature";
        var extra = b.AddInput("extra", OnnxElementType.Float, [OnnxDimension.Symbolic("N"), OnnxDimension.Unknown, 0]);
        var scale = b.AddInitializer("scale", [2f]);
        var scaled = b.AddNode("Mul", [extra, scale], "scaled");
        var clipped = b.AddNode("Clip", [scaled, "", scale], "scaled");
        var custom = b.AddNode("Custom", [clipped], ["part", "", "part"],
            OnnxAttribute.Int("i", -7),
            OnnxAttribute.Ints("is", 1, 2, 3),
            OnnxAttribute.Float("f", 0.25f),
            OnnxAttribute.Floats("fs", 1.5f, -1.5f),
            OnnxAttribute.String("s", "héllo"),
            OnnxAttribute.Tensor("t", [1f, 2f, 3f, 4f], 2, 2),
            OnnxAttribute.Tensor("tl", [5L, 6L], 2));
        b.AddOutput(custom[2], OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 3]);
        b.SetMetadata("first", "1");
        b.SetMetadata(SharpShotMetadata.InputShape, "replaced");
        b.SetMetadata("first", "one");
        return b;
    }
}
