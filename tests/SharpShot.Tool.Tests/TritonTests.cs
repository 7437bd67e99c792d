using SharpShot.Onnx;

namespace SharpShot.Tool.Tests;

public class TritonTests
{
    [Fact]
    public void A_batched_model_gets_a_valid_config_with_dims_after_the_batch_axis_and_its_file_copied()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("dark-or-light.onnx", Models.DarkOrLight());

        var run = ToolRun.Of("triton", model, "--out", temp.File("repo"), "--max-batch", "32", "--instances", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        string config = File.ReadAllText(temp.File("repo/dark-or-light/config.pbtxt"));
        var (errors, parsed) = TritonConfigSchema.Validate(config);
        Assert.Empty(errors);
        Assert.Equal("dark-or-light", parsed.One("name"));
        Assert.Equal(32L, parsed.One("max_batch_size"));
        var input = Assert.Single(parsed.Messages("input"));
        Assert.Equal([1L, 4L, 4L], ((List<object>)input.One("dims")!).Cast<long>());
        Assert.NotNull(parsed.One("dynamic_batching"));
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(temp.File("repo/dark-or-light/1/model.onnx")));
    }

    [Fact]
    public void Integer_and_float16_tensors_with_open_axes_map_to_triton_types_and_minus_one()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("mixed.onnx", Models.MixedTypes());

        var run = ToolRun.Of("triton", model, "--name", "mixed-model", "--out", temp.File("repo"), "--gpu");

        Assert.True(run.ExitCode == 0, run.ToString());
        var (errors, _) = TritonConfigSchema.Validate(File.ReadAllText(temp.File("repo/mixed-model/config.pbtxt")));
        Assert.Empty(errors);
        string config = File.ReadAllText(temp.File("repo/mixed-model/config.pbtxt"));
        Assert.Contains("data_type: TYPE_FP16", config);
        Assert.Contains("data_type: TYPE_INT64", config);
        Assert.Contains("data_type: TYPE_UINT8", config);
        Assert.Contains("data_type: TYPE_BOOL", config);
        Assert.Contains("dims: [ -1 ]", config);
        Assert.Contains("kind: KIND_GPU", config);
    }

    [Fact]
    public void A_model_with_a_fixed_first_axis_is_not_batched()
    {
        using var temp = new TempFolder();
        var b = new OnnxGraphBuilder("fixed");
        var x = b.AddInput("x", OnnxElementType.Float, [4, 3]);
        b.AddOutput(b.AddNode("Relu", [x], "y"), OnnxElementType.Float, [4, 3]);
        string model = temp.WriteBytes("fixed.onnx", b.ToBytes());

        var run = ToolRun.Of("triton", model, "--out", temp.File("repo"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var (errors, parsed) = TritonConfigSchema.Validate(File.ReadAllText(temp.File("repo/fixed/config.pbtxt")));
        Assert.Empty(errors);
        Assert.Equal(0L, parsed.One("max_batch_size"));
        Assert.Null(parsed.One("dynamic_batching"));
        Assert.Contains("dims: [ 4, 3 ]", File.ReadAllText(temp.File("repo/fixed/config.pbtxt")));
    }

    [Fact]
    public void External_data_inside_the_folder_goes_beside_the_copy_and_outside_it_is_refused()
    {
        using var temp = new TempFolder();
        string inside = WriteExternal(temp, "in", "weights/w.bin");
        temp.WriteBytes("in/weights/w.bin", new byte[48]);
        string outside = WriteExternal(temp, "out", "../secret.bin");
        temp.WriteBytes("secret.bin", new byte[48]);

        var ok = ToolRun.Of("triton", inside, "--out", temp.File("repo"));
        var refused = ToolRun.Of("triton", outside, "--name", "escape", "--out", temp.File("repo"));

        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.True(File.Exists(temp.File("repo/m/1/weights/w.bin")));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("../secret.bin", refused.Error);
        Assert.False(Directory.Exists(temp.File("repo/escape")));
    }

    [Fact]
    public void An_existing_version_is_kept_unless_forced_and_a_bad_name_is_refused()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("m.onnx", Models.DarkOrLight());
        Assert.Equal(0, ToolRun.Of("triton", model, "--out", temp.File("repo")).ExitCode);

        var again = ToolRun.Of("triton", model, "--out", temp.File("repo"));
        var forced = ToolRun.Of("triton", model, "--out", temp.File("repo"), "--force");
        var badName = ToolRun.Of("triton", model, "--name", "../up", "--out", temp.File("repo"));
        var noOut = ToolRun.Of("triton", model);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("exists already", again.Error);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(1, badName.ExitCode);
        Assert.Contains("plain folder name", badName.Error);
        Assert.Equal(2, noOut.ExitCode);
    }

    [Theory]
    [InlineData("name: \"m\"\nbackend: \"onnxruntime\"\nmax_batch_size: 0\ninput [ { name: \"x\" data_type: TYPE_FLOAT dims: [ 3 ] } ]", "TYPE_FLOAT")]
    [InlineData("name: \"m\"\nbackend: \"onnxruntime\"\nmax_batch_size: 0\ndynamic_batching { }", "dynamic_batching needs")]
    [InlineData("name: \"m\"\nbackend: \"onnxruntime\"\nbatch_size: 4", "not a field")]
    [InlineData("name: \"m\"\nbackend: \"onnxruntime\"\ninput [ { name: \"x\" data_type: TYPE_FP32 dims: [ 0 ] } ]", "dims [0]")]
    public void The_schema_check_catches_what_triton_would_refuse(string config, string error)
    {
        var (errors, _) = TritonConfigSchema.Validate(config);

        Assert.Contains(errors, e => e.Contains(error));
    }

    private static string WriteExternal(TempFolder temp, string folder, string location)
    {
        var batch = OnnxDimension.Symbolic("N");
        var b = new OnnxGraphBuilder("external");
        var x = b.AddInput("x", OnnxElementType.Float, [batch, 4]);
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData(location, 0, 48), 4, 3);
        b.AddOutput(b.AddNode("MatMul", [x, w], "y"), OnnxElementType.Float, [batch, 3]);
        return temp.WriteBytes($"{folder}/m.onnx", b.ToBytes());
    }
}
