using System.Text.Json;
using SharpShot.Inference;

namespace SharpShot.Tool.Tests;

public class ImageCommandTests
{
    private static void WriteClassFolders(TempFolder temp, string root)
    {
        temp.WriteBytes($"{root}/dark/a.png", Models.Flat(10));
        temp.WriteBytes($"{root}/dark/b.png", Models.Flat(40));
        temp.WriteBytes($"{root}/light/c.png", Models.Flat(230));
        temp.WriteBytes($"{root}/light/d.png", Models.Flat(20)); // dark, in the light folder: one mistake
    }

    [Fact]
    public void Predict_prints_a_line_per_image_and_the_accuracy_of_class_folders()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("m.onnx", Models.DarkOrLight());
        WriteClassFolders(temp, "test");

        var run = ToolRun.Of("predict", model, temp.File("test"), "--top", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith(temp.File("test/dark/a.png") + "\tdark\t", lines[0]);
        Assert.Equal(5, lines[0].Split('\t').Length);
        Assert.Contains("light\t", lines[2]);
        Assert.Equal("accuracy: 75.00 % (3 of 4 images in class folders)", lines[4].Trim());
    }

    [Fact]
    public void Predict_reports_an_unreadable_image_and_goes_on()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("m.onnx", Models.DarkOrLight());
        temp.WriteBytes("in/good.png", Models.Flat(250));
        temp.WriteBytes("in/bad.png", "not a png"u8.ToArray());
        temp.WriteBytes("in/bomb.png", TestImages.BlankPng(16000, 16000));

        var run = ToolRun.Of("predict", model, temp.File("in"), "--json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var predictions = json.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(3, predictions.Length);
        Assert.Equal("light", predictions.Single(p => p.GetProperty("file").GetString()!.EndsWith("good.png")).GetProperty("top")[0].GetProperty("label").GetString());
        Assert.Contains("not a PNG file", predictions.Single(p => p.GetProperty("file").GetString()!.EndsWith("bad.png")).GetProperty("error").GetString());
        Assert.Contains("ImageLimits.MaxPixels", predictions.Single(p => p.GetProperty("file").GetString()!.EndsWith("bomb.png")).GetProperty("error").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("failed").GetInt32());
    }

    [Fact]
    public void Predict_refuses_a_model_that_does_not_describe_its_images()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("mixed.onnx", Models.MixedTypes());
        temp.WriteBytes("a.png", Models.Flat(1));

        var run = ToolRun.Of("predict", model, temp.File("a.png"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("one image input", run.Error);
    }

    [Fact]
    public void Fewshot_fits_on_class_folders_classifies_queries_and_exports_the_adapted_classifier()
    {
        using var temp = new TempFolder();
        string embedding = temp.WriteBytes("embedding.onnx", Models.PixelEmbedding());
        temp.WriteBytes("support/bright/1.png", Models.Flat(250));
        temp.WriteBytes("support/bright/2.png", Models.Flat(240));
        temp.WriteBytes("support/dim/1.png", Models.Flat(5));
        WriteClassFolders(temp, "query");
        string exported = temp.File("out/adapted.onnx");

        var run = ToolRun.Of("fewshot", embedding, "--support", temp.File("support"), "--query", temp.File("query/light"), "--export", exported);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("fitted 2 classes on 3 support images: bright, dim", run.Output);
        Assert.Contains(temp.File("query/light/c.png") + "\tbright\t", run.Output);
        Assert.Contains(temp.File("query/light/d.png") + "\tdim\t", run.Output);
        using var adapted = OnnxModel.Load(exported);
        Assert.Equal(["bright", "dim"], adapted.ClassLabels);
        Assert.Equal(1, adapted.ClassifyImage(Models.Flat(3)));
    }

    [Fact]
    public void Fewshot_fits_classes_from_descriptions_alone_or_with_class_folders()
    {
        using var temp = new TempFolder();
        string embedding = temp.WriteBytes("embedding.onnx", Models.PixelEmbedding("embedding.attributes.onnx"));
        temp.WriteBytes("embedding.attributes.onnx", Models.BrightnessMap());
        string plain = temp.WriteBytes("plain.onnx", Models.PixelEmbedding());
        // A quoted class name with a comma; a table with an attribute the model does not know is refused naming it.
        string descriptions = temp.WriteBytes("classes.csv", "# zero-shot classes\nclass,brightness\nbright,1\n\"dim, dark\",0.02\n"u8.ToArray());
        string wrongColumns = temp.WriteBytes("wrong.csv", "class,brightness,size\nbright,1,3\n"u8.ToArray());
        temp.WriteBytes("support/gray/1.png", Models.Flat(128));
        WriteClassFolders(temp, "query");

        var zeroShot = ToolRun.Of("fewshot", embedding, "--descriptions", descriptions, "--query", temp.File("query/light"));
        var both = ToolRun.Of("fewshot", embedding, "--support", temp.File("support"), "--descriptions", descriptions, "--query", temp.File("query/light"), "--json");
        var noMap = ToolRun.Of("fewshot", plain, "--descriptions", descriptions);
        var mismatch = ToolRun.Of("fewshot", embedding, "--descriptions", wrongColumns);
        var neither = ToolRun.Of("fewshot", embedding, "--query", temp.File("query/light"));

        Assert.True(zeroShot.ExitCode == 0, zeroShot.ToString());
        Assert.Contains("fitted 2 classes on 2 descriptions (zero-shot): bright, dim, dark", zeroShot.Output);
        Assert.Contains(temp.File("query/light/c.png") + "\tbright\t", zeroShot.Output);
        Assert.Contains(temp.File("query/light/d.png") + "\tdim, dark\t", zeroShot.Output);
        Assert.True(both.ExitCode == 0, both.ToString());
        Assert.Contains("\"descriptions\": 2", both.Output);
        Assert.Contains("\"support_images\": 1", both.Output);
        Assert.Contains("\"gray\"", both.Output);
        Assert.Equal(1, noMap.ExitCode);
        Assert.Contains("names no attribute map", noMap.Error);
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("not the model's: size", mismatch.Error);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--support", neither.Error);
    }

    [Fact]
    public void Fewshot_runs_an_adaptive_model_that_adapts_to_the_support_folder_inside_its_graph()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("adaptive.onnx", Models.BrightnessAdaptive());
        temp.WriteBytes("support/bright/1.png", Models.Flat(250));
        temp.WriteBytes("support/bright/2.png", Models.Flat(240));
        temp.WriteBytes("support/dim/1.png", Models.Flat(5));
        WriteClassFolders(temp, "query");
        temp.WriteBytes("broken.png", "not a png"u8.ToArray());

        var run = ToolRun.Of("fewshot", model, "--support", temp.File("support"), "--query", temp.File("query/light"));
        var exported = ToolRun.Of("fewshot", model, "--support", temp.File("support"), "--export", temp.File("x.onnx"));
        var broken = ToolRun.Of("fewshot", model, "--support", temp.File("support"), "--query", temp.File("query/light"), "--query", temp.File("broken.png"));
        temp.WriteBytes("support/third/1.png", Models.Flat(100));
        var threeWay = ToolRun.Of("fewshot", model, "--support", temp.File("support"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Maml adapts inside the graph (3 steps) to 2 classes from 3 support images: bright, dim", run.Output);
        Assert.Contains(temp.File("query/light/c.png") + "\tbright\t", run.Output);
        Assert.Contains(temp.File("query/light/d.png") + "\tdim\t", run.Output);
        Assert.Equal(2, exported.ExitCode);
        Assert.Contains("nothing to export", exported.Error);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains(temp.File("query/light/c.png") + "\tbright\t", broken.Output);
        Assert.Contains("broken.png", broken.Error);
        Assert.Equal(1, threeWay.ExitCode);
        Assert.Contains("adapts to exactly 2", threeWay.Error);
    }

    [Fact]
    public void An_adaptive_classifier_reads_images_within_the_limits_it_was_loaded_with()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("adaptive.onnx", Models.BrightnessAdaptive());
        string large = temp.WriteBytes("large.png", TestImages.Png(64, 64, new byte[64 * 64]));
        using var strict = AdaptiveClassifier.Load(model, new OnnxModelOptions { ImageLimits = new SharpShot.Imaging.ImageLimits { MaxSide = 32 } });
        using var lenient = AdaptiveClassifier.Load(model);

        Assert.Throws<SharpShot.Imaging.ImageLimitException>(() => strict.ImageToInput(large));
        Assert.Equal(16, lenient.ImageToInput(large).Length);
    }

    [Fact]
    public void Fewshot_without_support_is_a_usage_error_and_a_missing_support_folder_a_failure()
    {
        using var temp = new TempFolder();
        string embedding = temp.WriteBytes("embedding.onnx", Models.PixelEmbedding());

        var noSupport = ToolRun.Of("fewshot", embedding);
        var missing = ToolRun.Of("fewshot", embedding, "--support", temp.File("nowhere"));

        Assert.Equal(2, noSupport.ExitCode);
        Assert.Contains("--support", noSupport.Error);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains(temp.File("nowhere"), missing.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("three")]
    public void A_bad_top_is_a_usage_error(string top)
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("m.onnx", Models.DarkOrLight());
        temp.WriteBytes("a.png", Models.Flat(1));

        var run = ToolRun.Of("predict", model, temp.File("a.png"), "--top", top);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--top", run.Error);
    }

    [Theory]
    [InlineData("--scale", "1")]
    [InlineData("--scale", "255/255", "--offset", "0")]
    [InlineData("--mean", "0", "--std", "1/255")]
    public void A_model_without_image_metadata_is_told_how_to_take_pixels(params string[] options)
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("plain.onnx", Models.DarkOrLight(describeImages: false));
        WriteClassFolders(temp, "test");

        var refused = ToolRun.Of("predict", model, temp.File("test"));
        var told = ToolRun.Of(["predict", model, temp.File("test"), .. options]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--scale/--offset or --mean/--std", refused.Error);
        Assert.True(told.ExitCode == 0, told.ToString());
        Assert.Contains("accuracy: 75.00 %", told.Output);
    }

    [Theory]
    [InlineData("--scale", "1", "--mean", "0.5")]
    [InlineData("--scale", "one")]
    [InlineData("--std", "0")]
    public void Bad_image_options_are_usage_errors(params string[] options)
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("plain.onnx", Models.DarkOrLight(describeImages: false));
        temp.WriteBytes("a.png", Models.Flat(1));

        var run = ToolRun.Of(["predict", model, temp.File("a.png"), .. options]);

        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public void Help_is_there_for_every_command()
    {
        foreach (string[] args in new[] { new[] { "--help" }, ["inspect", "--help"], ["bench", "--help"], ["predict", "--help"], ["fewshot", "--help"], ["quantize", "--help"] })
        {
            var run = ToolRun.Of(args);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("Usage:", run.Output);
        }
    }
}
