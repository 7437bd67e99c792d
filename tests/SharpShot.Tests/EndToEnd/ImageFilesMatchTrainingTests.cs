using SharpShot.Data;
using SharpShot.FewShot;
using SharpShot.Inference;
using SharpShot.Onnx;
using SharpShot.Tests.Data;
using SharpShot.Tests.Models;

namespace SharpShot.Tests.EndToEnd;

/// <summary>
/// An app that holds image files gets, through the host's image API, what the trained model gives on the training
/// pipeline's tensors for the same images: the model carries its input contract, and the host applies it.
/// </summary>
public class ImageFilesMatchTrainingTests
{
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"value {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void Png_files_of_idx_images_predict_what_the_model_gives_on_the_idx_tensors()
    {
        using var temp = new TempFolder();
        const int Count = 12;
        FakeMnist.WriteImages(temp.File("images"), Count);
        FakeMnist.WriteLabels(temp.File("labels"), FakeMnist.CyclingLabels(Count));
        Dataset data = IdxImageSet.Load(temp.File("images"), temp.File("labels"));
        byte[] pixels = FakeMnist.Pixels(Count, 28, 28);
        var model = new TinyCnn { InputScaling = data.Scaling };
        float[] expected = model.Predict(data);
        model.ExportOnnx(temp.File("model.onnx"));

        using var onnx = OnnxModel.Load(temp.File("model.onnx"));
        for (int i = 0; i < Count; i++)
        {
            byte[] png = TestImages.Png(28, 28, pixels[(i * 784)..((i + 1) * 784)]);
            string path = temp.WriteBytes($"png/{i}.png", png);
            ReadOnlySpan<float> want = expected.AsSpan(i * 10, 10);

            AssertClose(want, onnx.PredictImage(path));
            AssertClose(want, onnx.PredictImage(png));
            AssertClose(want, onnx.PredictImage(new MemoryStream(png)));
            AssertClose(want, onnx.PredictImage(new Imaging.PixelBuffer(pixels.AsSpan(i * 784, 784), 28, 28, 28, Imaging.PixelFormat.Gray8)));
            Assert.Equal(want.IndexOf(MaxOf(want)), onnx.ClassifyImage(path));
        }
    }

    [Fact]
    public void Colour_files_of_another_size_in_an_inverted_image_folder_embed_as_meta_training_saw_them()
    {
        using var temp = new TempFolder();
        var random = new Random(8);
        foreach (string name in new[] { "alpha", "beta" })
        {
            for (int i = 0; i < 3; i++)
            {
                var rgb = new byte[40 * 33 * 3];
                random.NextBytes(rgb);
                temp.WriteBytes($"set/{name}/{i}.png", TestImages.Png(40, 33, rgb, channels: 3));
            }
        }

        FewShotDataset data = ImageFolder.Load(temp.File("set"), size: 28, grayscale: true, invert: true);
        Assert.Same(InputScaling.InvertedPixelsToUnitRange, data.Scaling);
        var embedding = new TinyCnn { InputScaling = data.Scaling };
        float[] samples = data.Classes.SelectMany(c => c.Samples).ToArray();
        float[] expected = embedding.Predict(new Dataset(samples, new int[6], [1, 28, 28]));
        embedding.ExportOnnx(temp.File("embedding.onnx"));

        using var onnx = OnnxModel.Load(temp.File("embedding.onnx"));
        string[] files = Directory.GetFiles(temp.File("set/alpha")).Order(StringComparer.Ordinal)
            .Concat(Directory.GetFiles(temp.File("set/beta")).Order(StringComparer.Ordinal)).ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            AssertClose(expected.AsSpan(i * 10, 10), onnx.PredictImage(files[i]));
        }

        using var fromFiles = FewShotClassifier.Load(temp.File("embedding.onnx"));
        using var fromTensors = FewShotClassifier.Load(temp.File("embedding.onnx"));
        Assert.Equal(6, fromFiles.FitImageFolder(temp.File("set")));
        fromTensors.Fit(data.Scaling.ToRaw(samples), ["alpha", "alpha", "alpha", "beta", "beta", "beta"]);
        Assert.Equal(fromTensors.Classes, fromFiles.Classes);
        AssertClose(fromTensors.GetPrototypes(), fromFiles.GetPrototypes());
        Assert.Equal("beta", fromFiles.ClassifyImage(files[4]));
    }

    [Fact]
    public void A_model_exported_before_the_contract_still_takes_scaled_values_and_images_are_scaled_by_the_host()
    {
        using var temp = new TempFolder();
        const int Count = 4;
        FakeMnist.WriteImages(temp.File("images"), Count);
        FakeMnist.WriteLabels(temp.File("labels"), FakeMnist.CyclingLabels(Count));
        Dataset data = IdxImageSet.Load(temp.File("images"), temp.File("labels"));
        var model = new TinyCnn();
        float[] expected = model.Predict(data);
        // What an export before the contract wrote: the graph takes scaled values; the metadata only describes them.
        model.ExportOnnx(temp.File("plain.onnx"));
        var old = OnnxGraphBuilder.FromModel(File.ReadAllBytes(temp.File("plain.onnx")));
        old.SetMetadata(SharpShotMetadata.InputShape, "1,28,28");
        old.SetMetadata(SharpShotMetadata.InputScale, (1 / 255.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        old.SetMetadata(SharpShotMetadata.InputOffset, "0");
        old.Save(temp.File("old.onnx"));

        using var onnx = OnnxModel.Load(temp.File("old.onnx"));

        Assert.False(onnx.ImageInput!.NormalizedInGraph);
        AssertClose(expected, onnx.PredictBatch(data.Features, Count));
        byte[] pixels = FakeMnist.Pixels(Count, 28, 28);
        for (int i = 0; i < Count; i++)
        {
            AssertClose(expected.AsSpan(i * 10, 10), onnx.PredictImage(TestImages.Png(28, 28, pixels[(i * 784)..((i + 1) * 784)])));
        }
    }

    [Fact]
    public void A_model_without_an_image_contract_says_so_when_given_an_image()
    {
        using var temp = new TempFolder();
        new TinyCnn().ExportOnnx(temp.File("plain.onnx"));
        using var onnx = OnnxModel.Load(temp.File("plain.onnx"));

        var e = Assert.Throws<InvalidOperationException>(() => onnx.PredictImage(TestImages.Png(28, 28, new byte[784])));

        Assert.Contains(SharpShotMetadata.InputImage, e.Message);
        Assert.Contains("float API", e.Message);
    }

    [Fact]
    public void An_image_beyond_the_models_image_limits_is_refused_before_decoding()
    {
        using var temp = new TempFolder();
        new TinyCnn { InputScaling = InputScaling.PixelsToUnitRange }.ExportOnnx(temp.File("model.onnx"));
        using var onnx = OnnxModel.Load(temp.File("model.onnx"), new OnnxModelOptions { ImageLimits = new Imaging.ImageLimits { MaxPixels = 100 } });

        var e = Assert.Throws<Imaging.ImageLimitException>(() => onnx.PredictImage(TestImages.Png(28, 28, new byte[784])));

        Assert.Equal("ImageLimits.MaxPixels", e.LimitName);
    }

    private static float MaxOf(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }
}
