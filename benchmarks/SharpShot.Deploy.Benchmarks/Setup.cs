using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SharpShot.Inference;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>
/// In-process runs (TorchSharp's native libraries load as in every app here; BenchmarkDotNet's default child project
/// lacks them), 3 warm-up and 10 measured iterations, allocations per call from the memory diagnoser.
/// </summary>
public sealed class DeployConfig : ManualConfig
{
    public DeployConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance).WithId("InProcess"));
        AddDiagnoser(MemoryDiagnoser.Default);
        ArtifactsPath = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
    }
}

/// <summary>Models exported once per process into a temporary folder, and inputs from a fixed seed.</summary>
internal static class Exported
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("sharpshot-deploy-bench").FullName;

    /// <summary>Exports <paramref name="model"/> (random weights, eval mode) and loads it with the host's defaults.</summary>
    public static OnnxModel Load(SequentialModel model, string name)
    {
        string path = Path.Combine(Folder, name + ".onnx");
        model.ExportOnnx(path);
        return OnnxModel.Load(path);
    }

    public static string PathOf(string name) => Path.Combine(Folder, name + ".onnx");

    public static float[] Pixels(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }
}
