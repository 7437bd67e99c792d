using BenchmarkDotNet.Running;
using SharpShot.Benchmarks;
using SharpShot.Native;

// The benchmarks compare LibTorch's convolutions without oneDNN (what SharpShot runs when oneDNN is off):
// switch it off before anything loads LibTorch, whatever this process's environment says.
Environment.SetEnvironmentVariable(TorchRuntime.OneDnnVariable, "0");

// --malloc-defaults: leave glibc's malloc as every other process has it (TorchRuntime.MallocVariable).
bool mallocDefaults = args.Contains("--malloc-defaults");

// --torch-threads N: LibTorch's intra-op threads (default: one per core). One thread is far less disturbed by other
// processes on a busy machine (no thread waits at a barrier for a descheduled partner), so its ratios are steadier.
int threadsAt = Array.IndexOf(args, "--torch-threads");
if (threadsAt >= 0)
{
    TorchSharp.torch.set_num_threads(int.Parse(args[threadsAt + 1], System.Globalization.CultureInfo.InvariantCulture));
    args = [.. args[..threadsAt], .. args[(threadsAt + 2)..]];
}

Console.WriteLine($"// LibTorch intra-op threads: {TorchSharp.torch.get_num_threads()}");
// A layer timed alone makes LibTorch allocate its large im2col buffer (54 MB for 120×64×14×14) on every call, which
// glibc's defaults page-fault afresh each time; SharpShot's runtime keeps freed memory (as in every SharpShot process)
// unless told not to, and is configured here before any convolution runs.
if (mallocDefaults)
{
    Environment.SetEnvironmentVariable(TorchRuntime.MallocVariable, "default");
}

Console.WriteLine(mallocDefaults ? "// glibc malloc: defaults"
    : TorchRuntime.KeepsFreedMemory ? "// glibc malloc keeps freed memory (M_MMAP_MAX=0, M_TRIM_THRESHOLD=max); --malloc-defaults to leave it alone"
    : "// glibc's mallopt not found: malloc keeps its defaults");
args = [.. args.Where(a => a != "--malloc-defaults")];

// --interleaved [rounds]: the same cases, the two variants alternating call by call (see Interleaved).
int interleavedAt = Array.IndexOf(args, "--interleaved");
if (interleavedAt >= 0)
{
    Interleaved.Run(interleavedAt + 1 < args.Length ? int.Parse(args[interleavedAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 15);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
