using System.Text.Json;
using SharpShot.Onnx;

namespace SharpShot.Tool.Tests;

public class InspectTests
{
    [Fact]
    public void Any_model_shows_its_signature_types_symbolic_axes_and_counts()
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("mixed.onnx", Models.MixedTypes());

        var run = ToolRun.Of("inspect", path);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Float16", run.Output);
        Assert.Contains("[N, seq]", run.Output);
        Assert.Contains("Uint8", run.Output);
        Assert.Contains("Bool", run.Output);
        Assert.Contains("ai.onnx 17", run.Output);
        Assert.Contains("Cast 3", run.Output);
        Assert.Contains("1 in 1 initializers, 4 bytes", run.Output);
    }

    [Fact]
    public void Json_output_has_stable_fields()
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("image.onnx", Models.DarkOrLight());

        var run = ToolRun.Of("inspect", path, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal(8, root.GetProperty("ir_version").GetInt64());
        Assert.Equal(17, root.GetProperty("opsets").GetProperty("ai.onnx").GetInt64());
        var input = root.GetProperty("inputs")[0];
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("Float", input.GetProperty("type").GetString());
        Assert.Equal("N", input.GetProperty("shape")[0].GetString());
        Assert.Equal(4, input.GetProperty("shape")[3].GetInt64());
        Assert.Equal(2 + 32 + 2, root.GetProperty("parameters").GetInt64());
        Assert.Equal(1, root.GetProperty("nodes_by_op").GetProperty("Gemm").GetInt32());
        Assert.Equal("[\"dark\",\"light\"]", root.GetProperty("metadata").GetProperty(SharpShotMetadata.ClassLabels).GetString());
        Assert.Equal("graph", root.GetProperty("image_input").GetProperty("normalization").GetString());
    }

    [Fact]
    public void An_old_opset_model_without_metadata_is_inspected_too()
    {
        using var temp = new TempFolder();
        var b = new OnnxGraphBuilder("relu", opset: 7);
        var x = b.AddInput("x", OnnxElementType.Double, [OnnxDimension.Symbolic("batch"), 3]);
        b.AddOutput(b.AddNode("Relu", [x], "y"), OnnxElementType.Double, [OnnxDimension.Symbolic("batch"), 3]);
        string path = temp.WriteBytes("relu.onnx", b.ToBytes());

        var run = ToolRun.Of("inspect", path, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(7, json.RootElement.GetProperty("opsets").GetProperty("ai.onnx").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("image_input").ValueKind);
        Assert.Equal(0, json.RootElement.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void Missing_files_and_files_that_are_not_models_fail_with_their_names()
    {
        using var temp = new TempFolder();
        string text = temp.WriteBytes("notes.onnx", "not a model at all"u8.ToArray());

        var missing = ToolRun.Of("inspect", temp.File("nope.onnx"));
        var notModel = ToolRun.Of("inspect", text);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains(temp.File("nope.onnx"), missing.Error);
        Assert.StartsWith("error: ", missing.Error);
        Assert.Equal(1, notModel.ExitCode);
        Assert.Contains("notes.onnx", notModel.Error);
        Assert.Contains("not an ONNX model", notModel.Error);
        Assert.DoesNotContain("   at ", notModel.Error);
    }
}
