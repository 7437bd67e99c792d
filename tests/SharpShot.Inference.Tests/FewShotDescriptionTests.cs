using SharpShot.Onnx;
using SharpShot.Testing;

namespace SharpShot.Inference.Tests;

/// <summary>
/// Classes fitted from descriptions (zero-shot) through an attribute map that lies beside the embedding: what the
/// classifier computes, and how it treats a model whose metadata points elsewhere.
/// </summary>
public class FewShotDescriptionTests
{
    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("batch");

    [Fact]
    public void DescriptionsMapToPrototypesAndClassifyQueries()
    {
        using var folder = new TempFolder();
        string path = WriteZeroShotModel(folder.Path, "map.onnx");
        using var classifier = FewShotClassifier.Load(path);

        Assert.True(classifier.SupportsDescriptions);
        Assert.Equal(["round", "tall"], classifier.AttributeNames);
        // The map is p = (3·a0, a1 − 1); the embedding e = (x0, 2·x1 + 1).
        Assert.Equal([3f, -1f, 0f, 1f], classifier.MapDescriptions([1, 0, 0, 2]));

        classifier.FitDescriptions([1, 0, 0, 2], ["ball", "tower"]);
        Assert.Equal(["ball", "tower"], classifier.Classes);
        // (3, 0, 0) embeds at (3, 1): nearer the ball (3, −1) than the tower (0, 1)? distances 4 and 9.
        Assert.Equal(["ball", "tower"], classifier.PredictLabels([3, 0, 0, 0, 0, 0]));

        // A description and an example of one class average, as two examples would.
        classifier.AddExamples([1, 0, 0], ["ball"]);
        Assert.Equal([2f, 0f, 0f, 1f], classifier.GetPrototypes());
    }

    [Fact]
    public void BadDescriptionsAreTypedErrorsNamingTheAttribute()
    {
        using var folder = new TempFolder();
        using var classifier = FewShotClassifier.Load(WriteZeroShotModel(folder.Path, "map.onnx"));

        Assert.Throws<ShapeMismatchException>(() => classifier.MapDescriptions([1, 0, 0]));
        Assert.Throws<ShapeMismatchException>(() => classifier.FitDescriptions([1, 0, 0, 2], ["only one label"]));
        var nan = Assert.Throws<ArgumentException>(() => classifier.FitDescriptions([1, float.NaN], ["ball"]));
        Assert.Contains("'tall'", nan.Message);
        Assert.False(classifier.IsFitted);
    }

    [Fact]
    public void AnEmbeddingWithoutAMapSaysItCannotFitDescriptions()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        Assert.False(classifier.SupportsDescriptions);
        Assert.Empty(classifier.AttributeNames);
        Assert.Contains("no attribute map", Assert.Throws<InvalidOperationException>(() => classifier.FitDescriptions([1, 0], ["a"])).Message);
    }

    [Theory]
    [InlineData("../map.onnx", "plain file name")]
    [InlineData("/etc/passwd", "plain file name")]
    [InlineData("missing.onnx", "is missing")]
    public void AMapNamedOutsideTheFolderOrMissingIsRefused(string mapName, string expected)
    {
        using var folder = new TempFolder();
        string path = WriteZeroShotModel(folder.Path, mapName, writeMap: false);
        using var classifier = FewShotClassifier.Load(path);

        var error = Assert.Throws<OnnxModelLoadException>(() => classifier.FitDescriptions([1, 0], ["a"]));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AMapReachedThroughALinkOutOfTheFolderIsRefused()
    {
        using var outside = new TempFolder();
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(outside.Path, "map.onnx"), MapBytes(inputs: 2, outputs: 2));
        File.CreateSymbolicLink(Path.Combine(folder.Path, "map.onnx"), Path.Combine(outside.Path, "map.onnx"));
        using var classifier = FewShotClassifier.Load(WriteZeroShotModel(folder.Path, "map.onnx", writeMap: false));

        var error = Assert.Throws<OnnxModelLoadException>(() => classifier.MapDescriptions([1, 0]));

        Assert.Contains("outside the model's folder", error.Message);
    }

    [Fact]
    public void AMapThatDoesNotFitTheEmbeddingIsRefused()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(Path.Combine(folder.Path, "map.onnx"), MapBytes(inputs: 2, outputs: 3));
        using var classifier = FewShotClassifier.Load(WriteZeroShotModel(folder.Path, "map.onnx", writeMap: false));

        var error = Assert.Throws<OnnxModelLoadException>(() => classifier.MapDescriptions([1, 0]));

        Assert.Contains("outputs 3 values per description, but an embedding has 2", error.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("[\"a\",\"a\"]")]
    public void MalformedAttributeNamesAreRefusedAtLoad(string names)
    {
        byte[] model = EmbeddingBytes("map.onnx", names);

        var error = Assert.Throws<OnnxModelLoadException>(() => FewShotClassifier.Load(model));

        Assert.Contains(SharpShotMetadata.AttributeNames, error.Message);
    }

    [Fact]
    public void AModelGivenAsBytesCannotReachItsMapFile()
    {
        using var classifier = FewShotClassifier.Load(EmbeddingBytes("map.onnx", "[\"round\",\"tall\"]"));

        Assert.True(classifier.SupportsDescriptions);
        Assert.Contains("given as bytes", Assert.Throws<OnnxModelLoadException>(() => classifier.MapDescriptions([1, 0])).Message);
    }

    /// <summary>Writes the linear embedding naming <paramref name="mapName"/>, and (unless told not to) the map beside it; returns the embedding's path.</summary>
    private static string WriteZeroShotModel(string folder, string mapName, bool writeMap = true)
    {
        string path = Path.Combine(folder, "embedding.onnx");
        File.WriteAllBytes(path, EmbeddingBytes(mapName, "[\"round\",\"tall\"]"));
        if (writeMap)
        {
            File.WriteAllBytes(Path.Combine(folder, mapName), MapBytes(inputs: 2, outputs: 2));
        }

        return path;
    }

    private static byte[] EmbeddingBytes(string mapName, string attributeNames)
    {
        var b = new OnnxGraphBuilder("linear_embedding");
        var x = b.AddInput("input", OnnxElementType.Float, [Batch, 3]);
        var w = b.AddInitializer("embed.weight", [1f, 0f, 0f, 0f, 2f, 0f], 2, 3);
        var bias = b.AddInitializer("embed.bias", [0f, 1f], 2);
        var output = b.AddNode("Gemm", [x, w, bias], "output", OnnxAttribute.Int("transB", 1));
        b.AddOutput(output, OnnxElementType.Float, [Batch, 2]);
        b.SetMetadata(SharpShotMetadata.InputShape, "3");
        b.SetMetadata(SharpShotMetadata.AttributeMap, mapName);
        b.SetMetadata(SharpShotMetadata.AttributeNames, attributeNames);
        return b.ToBytes();
    }

    /// <summary>A linear map of <paramref name="inputs"/> attributes: p0 = 3·a0, p1 = a1 − 1, further outputs 0.</summary>
    private static byte[] MapBytes(int inputs, int outputs)
    {
        var b = new OnnxGraphBuilder("attribute_map");
        var x = b.AddInput("input", OnnxElementType.Float, [Batch, inputs]);
        var weights = new float[outputs * inputs];
        weights[0] = 3;
        weights[inputs + 1] = 1;
        var bias = new float[outputs];
        bias[1] = -1;
        var w = b.AddInitializer("map.weight", weights, outputs, inputs);
        var c = b.AddInitializer("map.bias", bias, outputs);
        var output = b.AddNode("Gemm", [x, w, c], "output", OnnxAttribute.Int("transB", 1));
        b.AddOutput(output, OnnxElementType.Float, [Batch, outputs]);
        return b.ToBytes();
    }
}
