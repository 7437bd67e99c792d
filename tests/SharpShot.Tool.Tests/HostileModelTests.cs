using System.Text;
using SharpShot.Onnx;

namespace SharpShot.Tool.Tests;

/// <summary>A model file is untrusted input to the tool too: external data outside its folder is never read.</summary>
public class HostileModelTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("TOOL-SECRET-0c1d-never-read-it");

    [Fact]
    public void External_data_outside_the_models_folder_is_refused_by_every_command_and_never_read()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("secret.bin", Secret.Concat(new byte[48 - Secret.Length % 48]).ToArray());
        var b = new OnnxGraphBuilder("escape");
        var batch = OnnxDimension.Symbolic("N");
        var x = b.AddInput("x", OnnxElementType.Float, [batch, 4]);
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("../secret.bin", 0, 48), 4, 3);
        b.AddOutput(b.AddNode("MatMul", [x, w], "y"), OnnxElementType.Float, [batch, 3]);
        string model = temp.WriteBytes("model/m.onnx", b.ToBytes());
        temp.WriteBytes("a.png", TestImages.Png(2, 2, new byte[4]));
        string secretText = Encoding.ASCII.GetString(Secret);

        var bench = ToolRun.Of("bench", model, "--seconds", "0.1");
        var predict = ToolRun.Of("predict", model, temp.File("a.png"));
        var quantize = ToolRun.Of("quantize", model, "--int8", "--out", temp.File("q.onnx"));
        var inspect = ToolRun.Of("inspect", model);

        foreach (var run in new[] { bench, predict, quantize })
        {
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains("../secret.bin", run.Error);
            Assert.DoesNotContain(secretText, run.Output + run.Error);
        }

        Assert.Contains("lead out of the model's folder", bench.Error);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.DoesNotContain(secretText, inspect.Output);
        Assert.False(File.Exists(temp.File("q.onnx")));
    }
}
