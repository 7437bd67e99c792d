using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Training;

/// <summary>The gradient check every training loop (supervised and meta) runs between the backward pass and the optimizer step.</summary>
internal static class NonFiniteGradients
{
    /// <summary>
    /// The name of the first of <paramref name="parameters"/> whose gradient holds a NaN or an infinity; null when every
    /// gradient is finite (or absent). One synchronization for the common case, where all are finite.
    /// </summary>
    public static string? First(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        using var scope = NewDisposeScope();
        (string Name, Tensor Gradient)[] gradients = parameters
            .Select(p => (p.Name, Gradient: p.Parameter.grad))
            .Where(p => p.Gradient is not null)
            .Select(p => (p.Name, p.Gradient!))
            .ToArray();
        if (gradients.Length == 0 || stack(gradients.Select(g => g.Gradient.isfinite().all()).ToArray()).all().item<bool>())
        {
            return null;
        }

        return gradients.First(g => !g.Gradient.isfinite().all().item<bool>()).Name;
    }
}
