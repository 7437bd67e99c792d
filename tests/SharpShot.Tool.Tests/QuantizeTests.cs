using System.Text.Json;
using SharpShot.Inference;

namespace SharpShot.Tool.Tests;

public class QuantizeTests
{
    [Theory]
    [InlineData("--int8")]
    [InlineData("--fp16")]
    public void Quantize_writes_a_model_that_runs_and_evaluates_it_against_the_float_one(string mode)
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("m.onnx", Models.DarkOrLight());
        temp.WriteBytes("eval/dark/a.png", Models.Flat(10));
        temp.WriteBytes("eval/light/b.png", Models.Flat(240));
        string output = temp.File("out/q.onnx");

        var run = ToolRun.Of("quantize", model, mode, "--out", output, "--eval", temp.File("eval"), "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(mode.TrimStart('-'), root.GetProperty("mode").GetString());
        Assert.Equal(new FileInfo(output).Length, root.GetProperty("quantized_bytes").GetInt64());
        Assert.Equal(2, root.GetProperty("images").GetInt32());
        Assert.Equal(1.0, root.GetProperty("agreement").GetDouble());
        Assert.Equal(1.0, root.GetProperty("quantized_accuracy").GetDouble());
        using var quantized = OnnxModel.Load(output);
        Assert.Equal(["dark", "light"], quantized.ClassLabels);
        Assert.Equal(0, quantized.ClassifyImage(Models.Flat(5)));
    }

    [Fact]
    public void Quantize_needs_exactly_one_mode_and_an_output()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("m.onnx", Models.DarkOrLight());

        var neither = ToolRun.Of("quantize", model, "--out", temp.File("q.onnx"));
        var both = ToolRun.Of("quantize", model, "--int8", "--fp16", "--out", temp.File("q.onnx"));
        var noOutput = ToolRun.Of("quantize", model, "--int8");

        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("one of --fp16 and --int8", neither.Error);
        Assert.Equal(2, both.ExitCode);
        Assert.Equal(2, noOutput.ExitCode);
        Assert.Contains("--out", noOutput.Error);
        Assert.False(File.Exists(temp.File("q.onnx")));
    }

    [Fact]
    public void Quantizing_something_that_is_not_a_model_fails_with_its_name()
    {
        using var temp = new TempFolder();
        string notModel = temp.WriteBytes("x.onnx", "nope"u8.ToArray());

        var run = ToolRun.Of("quantize", notModel, "--fp16", "--out", temp.File("q.onnx"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not an ONNX model", run.Error);
    }
}
