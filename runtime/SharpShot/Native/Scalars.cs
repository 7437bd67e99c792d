using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Native;

/// <summary>
/// Tensor arithmetic with plain numbers, safe against a TorchSharp 0.107 race. TorchSharp turns a number into a native
/// <see cref="Scalar"/> through an implicit conversion and never disposes it: the .NET finalizer frees it. While the
/// native operation still runs, that temporary is already unreachable, so a garbage collection started by another
/// thread (the episode prefetcher, a parallel test) can free it mid-call; the operation then reads whatever took its
/// memory — "For integral input tensors, argument alpha must not be a floating point number" from batch norm's counter,
/// or silently a wrong factor. Here every scalar stays referenced until the call returns and is freed right after.
/// Use these instead of <c>tensor.mul(0.4)</c>, <c>tensor.add_(1)</c> and the like in SharpShot's code.
/// </summary>
internal static class Scalars
{
    /// <summary>The integer 1, alive for the whole process (what TorchSharp's <c>add_(x)</c> passes as alpha).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="tensor"/> + <paramref name="other"/>, as <c>tensor.add(other)</c> (and <c>+</c>) computes it: TorchSharp passes an implicit alpha of 1 there.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other) => tensor.add(other, One);

    /// <summary><paramref name="tensor"/> × <paramref name="factor"/>, as <c>tensor.mul(factor)</c> computes it.</summary>
    public static Tensor Times(this Tensor tensor, double factor)
    {
        using Scalar scalar = factor.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="tensor"/> × <paramref name="factor"/> in place, as <c>tensor.mul_(factor)</c> computes it.</summary>
    public static Tensor TimesInPlace(this Tensor tensor, double factor)
    {
        using Scalar scalar = factor.ToScalar();
        return tensor.mul_(scalar);
    }

    /// <summary><paramref name="tensor"/> − <paramref name="value"/> in place, as <c>tensor.sub_(value)</c> computes it.</summary>
    public static Tensor MinusInPlace(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.sub_(scalar);
    }

    /// <summary><paramref name="tensor"/> / <paramref name="divisor"/> (an integer scalar, as <c>tensor.div(divisor)</c> passes it).</summary>
    public static Tensor DividedBy(this Tensor tensor, int divisor)
    {
        using Scalar scalar = divisor.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary>A tensor shaped like <paramref name="tensor"/>, every element <paramref name="value"/>.</summary>
    public static Tensor FullLike(Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return full_like(tensor, scalar);
    }
}
