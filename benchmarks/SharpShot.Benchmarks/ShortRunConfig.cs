using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SharpShot.Benchmarks;

/// <summary>
/// A few minutes for the whole suite: 2 warm-up and 5 measured iterations, run inside this process, so that the
/// TorchSharp native libraries load as they do for every app in this repository (with the libstdc++ fix applied to
/// this project's output) and the oneDNN switch set in Program applies. (BenchmarkDotNet's default toolchain
/// builds a separate child project whose output lacks TorchSharp's native libraries: every benchmark fails there.)
/// Reports go to BenchmarkDotNet.Artifacts/results next to the executable.
/// </summary>
public sealed class ShortRunConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public ShortRunConfig()
    {
        AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortInProcess"));
        ArtifactsPath = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
    }
}
