using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>The image input contract in a model's metadata is read at load, and a contract that cannot be true is a load error.</summary>
public class ImageInputLoadTests
{
    [Fact]
    public void A_contract_is_read_at_load()
    {
        var json = new ImageInputContract(3, 4, 5, [1 / 255.0, 2 / 255.0, 3 / 255.0], [0, -1, 0.5], normalizedInGraph: true).ToJson();

        using var model = OnnxModel.Load(Flatten(3, 4, 5, (SharpShotMetadata.InputImage, json)));

        var contract = model.ImageInput!;
        Assert.True(contract.NormalizedInGraph);
        Assert.Equal((3, 4, 5), (contract.Channels, contract.Height, contract.Width));
        Assert.Equal([0, -1, 0.5], contract.Offset);
    }

    [Fact]
    public void A_model_exported_before_the_contract_reads_as_scaled_by_the_host()
    {
        using var model = OnnxModel.Load(Flatten(1, 4, 5, (SharpShotMetadata.InputShape, "1,4,5"), (SharpShotMetadata.InputScale, "0.00392156862745098")));

        Assert.False(model.ImageInput!.NormalizedInGraph);
        Assert.Equal([1 / 255.0], model.ImageInput.Scale);
    }

    /// <summary>[N, channels, height, width] → Reshape → [N, channels·height·width], with the given metadata.</summary>
    private static byte[] Flatten(int channels, int height, int width, params (string Key, string Value)[] metadata)
    {
        var batch = OnnxDimension.Symbolic("N");
        var b = new OnnxGraphBuilder("flatten");
        var x = b.AddInput("pixels", OnnxElementType.Float, [batch, channels, height, width]);
        var shape = b.AddInitializer("shape", [0L, -1L], 2);
        var flat = b.AddNode("Reshape", [x, shape], "flat");
        b.AddOutput(flat, OnnxElementType.Float, [batch, channels * height * width]);
        foreach (var (key, value) in metadata)
        {
            b.SetMetadata(key, value);
        }

        return b.ToBytes();
    }

    [Fact]
    public void A_contract_that_disagrees_with_the_input_shape_is_refused()
    {
        var json = new ImageInputContract(1, 2, 2, [1 / 255.0], [0], normalizedInGraph: true).ToJson();

        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.DenseWithMetadata((SharpShotMetadata.InputImage, json))));

        Assert.Contains("1 x 2 x 2 image input", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void A_broken_contract_is_a_load_error_naming_the_entry()
    {
        var e = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(TestModels.DenseWithMetadata((SharpShotMetadata.InputImage, "{\"version\": 1"))));

        Assert.Contains(SharpShotMetadata.InputImage, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Options_describe_the_images_of_a_model_whose_metadata_does_not_and_are_checked_against_it()
    {
        var given = new ImageInputContract(1, 4, 5, [2.0], [-1], normalizedInGraph: false);
        using var model = OnnxModel.Load(Flatten(1, 4, 5), new OnnxModelOptions { ImageInput = given });
        var wrong = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(Flatten(1, 4, 5), new OnnxModelOptions { ImageInput = new ImageInputContract(3, 4, 5, [1], [0], true) }));

        Assert.Same(given, model.ImageInput);
        // The host scales: pixel 10 becomes 10 * 2 - 1.
        float[] input = model.ImageToInput(new Imaging.PixelBuffer(Enumerable.Repeat((byte)10, 20).ToArray(), 5, 4, 5, Imaging.PixelFormat.Gray8));
        Assert.All(input, v => Assert.Equal(19f, v));
        Assert.Contains("OnnxModelOptions.ImageInput describes a 3 x 4 x 5 image input", wrong.Message);
    }

    [Fact]
    public void A_model_without_image_metadata_has_no_contract()
    {
        using var model = OnnxModel.Load(TestModels.Dense());

        Assert.Null(model.ImageInput);
    }
}
