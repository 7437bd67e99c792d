namespace SharpShot.Onnx.Tests;

public class SaveTests
{
    [Fact]
    public void Save_creates_missing_folders_and_writes_a_readable_model()
    {
        using var temp = new TempFolder();
        var path = temp.File(Path.Combine("nested", "deeper", "model.onnx"));
        var builder = SampleGraphs.SmallCnn();

        builder.Save(path);

        Assert.Equal(builder.ToBytes(), File.ReadAllBytes(path));
        Assert.Equal("image", OnnxModelInfo.Read(path).Inputs[0].Name);
    }

    [Fact]
    public void Save_overwrites_an_existing_file_and_leaves_no_temp_files()
    {
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        File.WriteAllText(path, "an older, longer file that must be replaced entirely, not patched in place ............................................................................................................................................................................................................................................................................................................");

        var builder = SampleGraphs.TinyRelu();
        builder.Save(path);

        Assert.Equal(builder.ToBytes(), File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Failed_save_leaves_the_existing_target_untouched_and_no_temp_files()
    {
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        SampleGraphs.TinyRelu().Save(path);
        var before = File.ReadAllBytes(path);
        var unbuildable = new OnnxGraphBuilder("no_outputs");
        unbuildable.AddInput("x", OnnxElementType.Float, [1]);

        Assert.Throws<InvalidOperationException>(() => unbuildable.Save(path));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_onto_a_folder_fails_and_cleans_up_its_temp_file()
    {
        using var temp = new TempFolder();
        var folderInTheWay = temp.File("model.onnx");
        Directory.CreateDirectory(folderInTheWay);

        Assert.ThrowsAny<IOException>(() => SampleGraphs.TinyRelu().Save(folderInTheWay));

        Assert.Empty(Directory.GetFiles(temp.Path));
        Assert.True(Directory.Exists(folderInTheWay));
    }
}
