using Microsoft.ML.OnnxRuntime;

namespace SharpShot.Inference;

/// <summary>The provider a model was given and, when <see cref="OnnxExecutionProvider.BestAvailable"/> fell back, why.</summary>
internal sealed record ProviderChoice(OnnxExecutionProvider Active, string? Note);

/// <summary>
/// Choosing and starting ONNX Runtime's execution providers, and the native library they live in. The app brings
/// exactly one native package (Microsoft.ML.OnnxRuntime for the CPU, Microsoft.ML.OnnxRuntime.Gpu.Linux for CUDA);
/// the libraries reference only the managed one.
/// </summary>
internal static class ExecutionProviders
{
    public const string CudaProviderName = "CUDAExecutionProvider";

    /// <summary>The lines an app adds to get a native ONNX Runtime, for messages.</summary>
    public const string NativePackageAdvice =
        "Add exactly one native ONNX Runtime package of version 1.32.0 to the app: Microsoft.ML.OnnxRuntime (CPU) or " +
        "Microsoft.ML.OnnxRuntime.Gpu.Linux (CUDA on Linux; it also runs on the CPU). Both at once overwrite each other's library.";

    /// <summary>Which provider to start with: CUDA when asked for (or best available and present), else the CPU.</summary>
    public static ProviderChoice Choose(OnnxModelOptions options, ModelSource source)
    {
        if (options.ExecutionProvider == OnnxExecutionProvider.Cpu)
        {
            return new ProviderChoice(OnnxExecutionProvider.Cpu, null);
        }
        var available = AvailableProviders(source);
        if (available.Contains(CudaProviderName))
        {
            return new ProviderChoice(OnnxExecutionProvider.Cuda, null);
        }
        if (options.ExecutionProvider == OnnxExecutionProvider.BestAvailable)
        {
            return new ProviderChoice(OnnxExecutionProvider.Cpu, FallbackNote(options,
                $"this ONNX Runtime build has no CUDA execution provider (available: {string.Join(", ", available)})"));
        }
        throw source.Fail(
            $"CUDA was requested (ExecutionProvider = Cuda) but this ONNX Runtime build has no CUDA execution provider " +
            $"(available: {string.Join(", ", available)}). Reference Microsoft.ML.OnnxRuntime.Gpu.Linux 1.32.0 instead of " +
            "Microsoft.ML.OnnxRuntime, or use ExecutionProvider = Cpu or BestAvailable.");
    }

    public static string FallbackNote(OnnxModelOptions options, string reason) =>
        $"Running on the CPU: CUDA (device {options.CudaDeviceId}) was the first choice of ExecutionProvider = BestAvailable, but {reason}";

    /// <summary>Starts CUDA on the session; for BestAvailable a failure here is reported by the caller's fallback.</summary>
    public static void AppendCuda(SessionOptions sessionOptions, OnnxModelOptions options, ModelSource source)
    {
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        }
        catch (OnnxRuntimeException e)
        {
            if (options.ExecutionProvider == OnnxExecutionProvider.BestAvailable)
            {
                throw;
            }
            throw source.Fail(
                $"CUDA was requested (ExecutionProvider = Cuda, device {options.CudaDeviceId}) but ONNX Runtime could not start its CUDA execution provider: {e.Message} " +
                "Check that the CUDA and cuDNN libraries ONNX Runtime needs are installed and the device exists, or use ExecutionProvider = Cpu or BestAvailable.", e);
        }
    }

    /// <summary>New session options, with a clear error when the app has no native ONNX Runtime at all.</summary>
    public static SessionOptions NewSessionOptions(ModelSource source)
    {
        try
        {
            return new SessionOptions();
        }
        catch (Exception e) when (IsMissingNativeLibrary(e))
        {
            throw source.Fail($"ONNX Runtime's native library could not be loaded ({Innermost(e).Message}). {NativePackageAdvice}", e);
        }
    }

    private static string[] AvailableProviders(ModelSource source)
    {
        try
        {
            return OrtEnv.Instance().GetAvailableProviders();
        }
        catch (Exception e) when (IsMissingNativeLibrary(e))
        {
            throw source.Fail($"ONNX Runtime's native library could not be loaded ({Innermost(e).Message}). {NativePackageAdvice}", e);
        }
    }

    private static bool IsMissingNativeLibrary(Exception e) =>
        Innermost(e) is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
