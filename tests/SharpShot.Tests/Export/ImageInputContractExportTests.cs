using SharpShot.Data;
using SharpShot.Inference;
using SharpShot.Onnx;
using SharpShot.Tests.Models;

namespace SharpShot.Tests.Export;

/// <summary>
/// An image model's export carries its input contract: the graph applies the training data's scaling itself, so any
/// ONNX runtime fed raw pixel values (0 to 255) gets what the trained model gives on the scaled values it trained on.
/// </summary>
public class ImageInputContractExportTests
{
    public static TheoryData<string> Scalings => new() { "unit", "inverted", "centred" };

    [Theory]
    [MemberData(nameof(Scalings))]
    public void Raw_pixels_into_the_exported_graph_give_the_trained_models_answer_on_scaled_values(string which)
    {
        InputScaling scaling = which switch
        {
            "unit" => InputScaling.PixelsToUnitRange,
            "inverted" => InputScaling.InvertedPixelsToUnitRange,
            _ => new InputScaling(2.0 / 255, -1, "x / 127.5 - 1"),
        };
        var model = new EveryLayerNet { InputScaling = scaling };
        const int Count = 16;
        var random = new Random(5);
        float[] raw = Enumerable.Range(0, Count * 3 * 11 * 9).Select(_ => (float)random.Next(256)).ToArray();
        // As the data loaders scale 8-bit pixels: in double, then rounded to float.
        float[] scaled = raw.Select(p => (float)((p * scaling.Scale) + scaling.Offset)).ToArray();
        float[] expected = model.Predict(new Dataset(scaled, new int[Count], [3, 11, 9], ["a", "b", "c", "d", "e"]));
        using var temp = new TempFolder();
        string path = temp.File("image.onnx");

        model.ExportOnnx(path);

        using var onnx = OnnxModel.Load(path);
        float[] actual = onnx.PredictBatch(raw, Count);
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5 * (1 + Math.Abs(pair.First)), $"{pair.First} vs {pair.Second}"));

        ImageInputContract contract = ImageInputContract.FromMetadata(OnnxModelInfo.Read(path).Metadata)!;
        Assert.True(contract.NormalizedInGraph);
        Assert.Equal((3, 11, 9), (contract.Channels, contract.Height, contract.Width));
        Assert.Equal([scaling.Scale, scaling.Scale, scaling.Scale], contract.Scale);
        Assert.Equal([scaling.Offset, scaling.Offset, scaling.Offset], contract.Offset);
    }

    [Fact]
    public void A_model_without_pixel_scaling_or_of_another_shape_keeps_its_input_as_it_trained()
    {
        using var temp = new TempFolder();
        var unscaled = new EveryLayerNet { InputScaling = InputScaling.None };
        var flat = new SmallMlp { InputScaling = InputScaling.PixelsToUnitRange };

        unscaled.ExportOnnx(temp.File("unscaled.onnx"));
        flat.ExportOnnx(temp.File("flat.onnx"));

        var unscaledInfo = OnnxModelInfo.Read(temp.File("unscaled.onnx"));
        var flatInfo = OnnxModelInfo.Read(temp.File("flat.onnx"));
        Assert.False(unscaledInfo.Metadata.ContainsKey(SharpShotMetadata.InputImage));
        Assert.False(flatInfo.Metadata.ContainsKey(SharpShotMetadata.InputImage));
        // The flat model's scaling is described for a host to apply; its graph takes scaled values.
        Assert.Equal("0.00392156862745098", flatInfo.Metadata[SharpShotMetadata.InputScale]);
        Assert.Null(ImageInputContract.FromMetadata(flatInfo.Metadata));
    }
}
