using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SharpShot.Native;

/// <summary>
/// Process-wide LibTorch settings SharpShot applies before its layers first run.
/// </summary>
/// <remarks>
/// LibTorch 2.10's oneDNN (mkldnn) CPU kernels return wrong values on some AVX-512 machines (seen on an
/// AMD EPYC here): the input gradient of conv1d/conv2d — so any net with two convolutions trains on
/// corrupted gradients — and conv_transpose2d's forward. LibTorch's own native kernels are correct (and
/// no slower on the small convolutions of few-shot nets), so SharpShot switches oneDNN off through
/// <c>at::globalContext().setUserEnabledMkldnn(false)</c>. Set <c>SHARPSHOT_ONEDNN=1</c> to keep it on.
/// Without oneDNN, LibTorch tries NNPACK for batched convolutions and, on CPUs NNPACK does not support,
/// prints "Could not initialize NNPACK" on every call; SharpShot switches NNPACK off with it.
/// </remarks>
public static class TorchRuntime
{
    /// <summary>The environment variable that keeps oneDNN enabled when set to 1.</summary>
    public const string OneDnnVariable = "SHARPSHOT_ONEDNN";

    private static readonly Lazy<bool> s_oneDnnDisabled = new(DisableOneDnn, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True once SharpShot has switched LibTorch's oneDNN kernels off in this process.</summary>
    public static bool OneDnnDisabled => s_oneDnnDisabled.Value;

    /// <summary>Applies the settings once; called by every layer and model constructor.</summary>
    public static void EnsureConfigured() => _ = s_oneDnnDisabled.Value;

    private delegate IntPtr GlobalContext();

    private delegate void SetUserEnabled(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    private static bool DisableOneDnn()
    {
        if (Environment.GetEnvironmentVariable(OneDnnVariable) == "1")
        {
            return false;
        }

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
        Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(setMkldnn)(context, false);
        Marshal.GetDelegateForFunctionPointer<SetUserEnabled>(setNnpack)(context, false);
        return true;
    }
}
