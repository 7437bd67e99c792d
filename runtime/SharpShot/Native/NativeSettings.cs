using static TorchSharp.torch;

namespace SharpShot.Native;

/// <summary>
/// What of this process's LibTorch set-up shapes a training run's numbers besides its data and hyperparameters: the
/// intra-op thread count (it changes how reductions are split, so the last bits of sums), whether oneDNN is on, and the
/// convolution guard's verdicts (which configurations ran on oneDNN and which in float64). Checkpoints record it, and a
/// resumed run restores it — or is refused where it cannot be restored — so that it repeats the unbroken run.
/// </summary>
/// <param name="Threads">LibTorch's intra-op threads (<c>torch.get_num_threads()</c>).</param>
/// <param name="OneDnnDisabled">Whether oneDNN was switched off (<see cref="TorchRuntime.OneDnnVariable"/>).</param>
/// <param name="ConvolutionVerdicts">The convolution configurations checked and whether each ran on oneDNN (true) or in float64 (false).</param>
internal sealed record NativeSettings(int Threads, bool OneDnnDisabled, IReadOnlyDictionary<string, bool> ConvolutionVerdicts)
{
    /// <summary>The most intra-op threads a checkpoint may ask to restore; more is a damaged file, not a machine.</summary>
    public const int MaxThreads = 4096;

    /// <summary>This process's settings now.</summary>
    public static NativeSettings Current()
    {
        TorchRuntime.EnsureConfigured();
        return new NativeSettings(get_num_threads(), TorchRuntime.OneDnnDisabled, TorchRuntime.ConvolutionVerdicts);
    }

    /// <summary>
    /// Why these (a checkpoint's) settings cannot be restored in this process, naming the setting, its value there and
    /// here; null when <see cref="Restore"/> can restore them all.
    /// </summary>
    public string? Unrestorable()
    {
        TorchRuntime.EnsureConfigured();
        if (OneDnnDisabled != TorchRuntime.OneDnnDisabled)
        {
            return $"it was written with oneDNN {OnOff(!OneDnnDisabled)}, and oneDNN is {OnOff(!TorchRuntime.OneDnnDisabled)} in this process " +
                $"(set once at start-up from {TorchRuntime.OneDnnVariable}); run with {TorchRuntime.OneDnnVariable}={(OneDnnDisabled ? "0" : "1")} to resume it";
        }

        foreach ((string configuration, bool onOneDnn) in ConvolutionVerdicts)
        {
            if (onOneDnn && ConvolutionGuard.Verdicts.TryGetValue(configuration, out bool here) && !here)
            {
                return $"the convolution {configuration} ran on oneDNN there, but oneDNN failed its check for it in this process " +
                    "(it runs in float64 here), so the run cannot be repeated bit for bit";
            }
        }

        return null;
    }

    /// <summary>Sets the thread count and the convolution verdicts (see <see cref="ConvolutionGuard.Restore"/>); call after <see cref="Unrestorable"/> returned null.</summary>
    public void Restore()
    {
        if (get_num_threads() != Threads)
        {
            set_num_threads(Threads);
        }

        ConvolutionGuard.Restore(ConvolutionVerdicts);
    }

    private static string OnOff(bool on) => on ? "on" : "off";
}
