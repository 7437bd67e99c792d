using System.Text.Json;

namespace SharpShot.Tool.Tests;

public class BenchTests
{
    [Fact]
    public void Each_batch_size_gets_percentiles_and_throughput()
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("image.onnx", Models.DarkOrLight());

        var run = ToolRun.Of("bench", path, "--batch", "1,8", "--seconds", "0.2", "--warmup", "0", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("float", json.RootElement.GetProperty("path").GetString());
        Assert.Equal("Cpu", json.RootElement.GetProperty("provider").GetString());
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([1, 8], results.Select(r => r.GetProperty("batch").GetInt32()));
        Assert.All(results, r =>
        {
            Assert.True(r.GetProperty("runs").GetInt32() > 0);
            double p50 = r.GetProperty("p50_ms").GetDouble(), p99 = r.GetProperty("p99_ms").GetDouble();
            Assert.True(p50 > 0 && p50 <= p99, $"p50 {p50}, p99 {p99}");
            Assert.True(r.GetProperty("samples_per_s").GetDouble() > 0);
        });
    }

    [Fact]
    public void Open_axes_after_the_batch_need_a_shape_and_integer_inputs_are_generated()
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("mixed.onnx", Models.MixedTypes());

        var withoutShape = ToolRun.Of("bench", path, "--seconds", "0.1", "--warmup", "0");
        var withShapes = ToolRun.Of("bench", path, "--batch", "2", "--seconds", "0.1", "--warmup", "0", "--json",
            "--shape", "half=1,5", "--shape", "ids=1,5", "--shape", "pixels=1,5");

        Assert.Equal(2, withoutShape.ExitCode);
        Assert.Contains("Axis 1 ('seq') of input 'half'", withoutShape.Error);
        Assert.Contains("--shape half=", withoutShape.Error);
        Assert.True(withShapes.ExitCode == 0, withShapes.ToString());
        using var json = JsonDocument.Parse(withShapes.Output);
        Assert.Equal("general", json.RootElement.GetProperty("path").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("results")[0].GetProperty("batch").GetInt32());
    }

    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "two")]
    [InlineData("--seconds", "-1")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "x")]
    [InlineData("--seconds", "ten")]
    [InlineData("--warmup", "soon")]
    [InlineData("--provider", "tpu")]
    [InlineData("--nonsense", "1")]
    public void Bad_values_are_usage_errors(string option, string value)
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("image.onnx", Models.DarkOrLight());

        var run = ToolRun.Of("bench", path, option, value);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error);
    }

    [Fact]
    public void A_shape_that_contradicts_the_model_is_a_usage_error()
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("image.onnx", Models.DarkOrLight());

        var run = ToolRun.Of("bench", path, "--shape", "input=1,1,5,4", "--seconds", "0.1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("fixes it at 4", run.Error);
    }
}
