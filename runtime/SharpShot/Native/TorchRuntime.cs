using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SharpShot.Native;

/// <summary>
/// Process-wide LibTorch settings SharpShot applies before its layers first run.
/// </summary>
/// <remarks>
/// LibTorch 2.10's oneDNN (mkldnn) CPU kernels return wrong values on some AVX-512 machines (seen on an
/// AMD EPYC here): the input gradient of conv1d/conv2d for some channel counts and conv_transpose2d's
/// forward. They are also several times faster than LibTorch's own kernels on the convolutions of few-shot
/// nets, so SharpShot keeps oneDNN on and lets every convolution configuration prove itself first
/// (<see cref="ConvolutionGuard"/>: checked against float64, which oneDNN never handles; a configuration that
/// disagrees runs in float64). Set <c>SHARPSHOT_ONEDNN=0</c> to switch oneDNN off altogether, through
/// <c>at::globalContext().setUserEnabledMkldnn(false)</c>. LibTorch tries NNPACK for batched convolutions
/// and, on CPUs NNPACK does not support, prints "Could not initialize NNPACK" on every call; SharpShot
/// switches NNPACK off.
/// </remarks>
public static class TorchRuntime
{
    /// <summary>The environment variable that leaves glibc's malloc settings alone when set to <c>default</c>.</summary>
    public const string MallocVariable = "SHARPSHOT_MALLOC";

    /// <summary>The environment variable that switches oneDNN off when set to 0.</summary>
    public const string OneDnnVariable = "SHARPSHOT_ONEDNN";

    private static readonly Lazy<bool> s_oneDnnDisabled = new(Configure, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True once SharpShot has switched LibTorch's oneDNN kernels off in this process (<c>SHARPSHOT_ONEDNN=0</c>).</summary>
    public static bool OneDnnDisabled => s_oneDnnDisabled.Value;

    /// <summary>
    /// The convolution configurations checked so far in this process (input and weight shapes, strides, padding,
    /// dilation, groups, as text) and whether each runs on oneDNN (true) or in float64 (false): a run's arithmetic depends
    /// on them, so two processes whose verdicts differ can end a seeded run with different weights. For diagnosis; a
    /// checkpoint records them (see README, Reliability).
    /// </summary>
    public static IReadOnlyDictionary<string, bool> ConvolutionVerdicts =>
        new SortedDictionary<string, bool>(ConvolutionGuard.Verdicts.ToDictionary(), StringComparer.Ordinal);

    private static bool s_keepsFreedMemory;

    /// <summary>True when SharpShot made glibc keep freed memory in this process (see <see cref="MallocVariable"/>).</summary>
    public static bool KeepsFreedMemory
    {
        get
        {
            EnsureConfigured();
            return s_keepsFreedMemory;
        }
    }

    /// <summary>Applies the settings once; called by every layer and model constructor.</summary>
    public static void EnsureConfigured() => _ = s_oneDnnDisabled.Value;

    private delegate IntPtr GlobalContext();

    private delegate void SetUserEnabled(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>Switches NNPACK off, and oneDNN too when asked to; returns whether oneDNN is off.</summary>
    private static bool Configure()
    {
        s_keepsFreedMemory = KeepFreedMemory();

        // Loads TorchSharp's native libraries (and so libtorch_cpu) if nothing has yet.
        using (zeros(1))
        {
        }

        // The process already holds libtorch_cpu; loading it by name returns that same handle.
        string library = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (!NativeLibrary.TryLoad(library, typeof(TorchSharp.torch).Assembly, null, out IntPtr handle)
            || !NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out IntPtr globalContext)
            || !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledMkldnnEb", out IntPtr setMkldnn)
            || !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledNNPACKEb", out IntPtr setNnpack))
        {
            // Another LibTorch build (other names, or MSVC mangling): leave its defaults alone.
            return false;
        }

        IntPtr context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(globalContext)();
        Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(setNnpack)(context, false);
        if (Environment.GetEnvironmentVariable(OneDnnVariable) != "0")
        {
            return false;
        }

        Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(setMkldnn)(context, false);
        return true;
    }

    /// <summary>
    /// Makes glibc keep freed memory for reuse (<c>mallopt(M_MMAP_MAX, 0)</c>, <c>mallopt(M_TRIM_THRESHOLD, INT_MAX)</c>).
    /// By default glibc maps every block over 32 MB afresh and unmaps it on free, so each convolution page-faults its
    /// im2col buffer (54 MB for 120 images of 64×14×14) anew: 3–4× the time of a conv-4 training step on a VM
    /// (benchmarks/README.md). The process then keeps its peak heap instead of returning it to the system. Not on
    /// other C libraries; <c>SHARPSHOT_MALLOC=default</c> leaves the settings alone.
    /// </summary>
    private static bool KeepFreedMemory()
    {
        const int TrimThreshold = -1;
        const int MmapMax = -4;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(MallocVariable) == "default"
            || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr address))
        {
            return false;
        }

        var mallopt = Marshal.GetDelegateForFunctionPointer<MallOpt>(address);
        return mallopt(MmapMax, 0) == 1 && mallopt(TrimThreshold, int.MaxValue) == 1;
    }

    /// <summary>glibc's <c>int mallopt(int param, int value)</c>.</summary>
    private delegate int MallOpt(int param, int value);
}
