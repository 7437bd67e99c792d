using System.Reflection;
using System.Text.Json;

namespace SharpShot.Inference.Tests;

public class DependencyTests
{
    /// <summary>
    /// Deploying SharpShot.Inference must not need TorchSharp or LibTorch. What restoring it resolved for every target
    /// framework (project.assets.json) is its whole dependency closure, transitive and private dependencies included,
    /// where the assembly's own references would show only what its IL calls directly.
    /// </summary>
    [Fact]
    public void Nothing_in_the_dependency_closure_of_SharpShot_Inference_is_TorchSharp()
    {
        var assetsFile = typeof(DependencyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SharpShot.Inference.ProjectAssetsFile").Value!;
        using var assets = JsonDocument.Parse(File.ReadAllBytes(assetsFile));

        var closures = assets.RootElement.GetProperty("targets").EnumerateObject()
            .ToDictionary(target => target.Name, target => target.Value.EnumerateObject().Select(library => library.Name.Split('/')[0]).ToArray());

        Assert.NotEmpty(closures);
        Assert.All(closures, closure =>
        {
            // The closure is read from the right file: the dependencies SharpShot.Inference does have are in it.
            Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", closure.Value);
            Assert.Contains("SharpShot.Onnx", closure.Value);
            Assert.DoesNotContain(closure.Value, IsTorch);
            // The app brings exactly one native ONNX Runtime (CPU or GPU); the library must not pick one for it.
            Assert.DoesNotContain(closure.Value, library => library.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal) && library != "Microsoft.ML.OnnxRuntime.Managed");
        });
    }

    /// <summary>TorchSharp and its native packages (TorchSharp-cpu, libtorch-cpu-linux-x64, ...), or the SharpShot project that brings them.</summary>
    private static bool IsTorch(string library) =>
        library.Contains("torch", StringComparison.OrdinalIgnoreCase) || library == "SharpShot";
}
