using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using SharpShot.Benchmarks;
using SharpShot.Native;

// The benchmarks compare LibTorch's convolutions without oneDNN (what SharpShot runs when oneDNN is off):
// switch it off before anything loads LibTorch, whatever this process's environment says.
Environment.SetEnvironmentVariable(TorchRuntime.OneDnnVariable, "0");

// --malloc-defaults: leave glibc's malloc as every other process has it (see KeepFreedMemory).
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
Console.WriteLine(mallocDefaults ? "// glibc malloc: defaults"
    : KeepFreedMemory() ? "// glibc malloc keeps freed memory (M_MMAP_MAX=0, M_TRIM_THRESHOLD=max); --malloc-defaults to leave it alone"
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

// A layer timed alone makes LibTorch allocate its large im2col buffer (54 MB for 120×64×14×14) on every call;
// glibc serves blocks over 32 MB with a fresh mmap, so each call page-faults the whole buffer, which on a VM costs
// several times the convolution and is the same for both kernels. Inside a training step the heap already holds
// enough freed memory and that cost does not arise; keeping freed memory gives isolated layers that same state.
static bool KeepFreedMemory()
{
    const int TrimThreshold = -1;
    const int MmapMax = -4;
    if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr address))
    {
        return false;
    }

    var mallopt = Marshal.GetDelegateForFunctionPointer<MallOpt>(address);
    return mallopt(MmapMax, 0) == 1 && mallopt(TrimThreshold, int.MaxValue) == 1;
}

/// <summary>glibc's <c>int mallopt(int param, int value)</c>.</summary>
internal delegate int MallOpt(int param, int value);
