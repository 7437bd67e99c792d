using SharpShot.Native;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Seeded weight initialization for the layers of one model: the same seed gives the same weights on
/// CPU, without touching TorchSharp's global random state. Weights follow Keras's defaults
/// (Glorot/Xavier uniform, zero biases), as the declared networks mirror Keras models.
/// </summary>
public sealed class LayerInit : IDisposable
{
    private readonly Generator _generator;

    /// <summary>Creates an initializer whose draws depend only on <paramref name="seed"/>.</summary>
    public LayerInit(int seed) => _generator = new Generator(unchecked((ulong)seed));

    /// <summary>
    /// Glorot uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), on the CPU, float32, no gradient.
    /// </summary>
    public Tensor GlorotUniform(long[] shape, long fanIn, long fanOut)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        using var scope = NewDisposeScope();
        Tensor unit = rand(shape, dtype: ScalarType.Float32, generator: _generator);
        return unit.TimesInPlace(2 * limit).MinusInPlace(limit).MoveToOuterDisposeScope();
    }

    /// <summary>U(-<paramref name="bound"/>, <paramref name="bound"/>) on the CPU, float32 (PyTorch's default for recurrent and embedding-like weights when given 1/√n).</summary>
    public Tensor Uniform(long[] shape, double bound)
    {
        using var scope = NewDisposeScope();
        Tensor unit = rand(shape, dtype: ScalarType.Float32, generator: _generator);
        return unit.TimesInPlace(2 * bound).MinusInPlace(bound).MoveToOuterDisposeScope();
    }

    /// <summary>N(0, <paramref name="std"/>²) on the CPU, float32 (e.g. embeddings, which PyTorch and Keras draw from a normal or small uniform).</summary>
    public Tensor Normal(long[] shape, double std)
    {
        using var scope = NewDisposeScope();
        return randn(shape, dtype: ScalarType.Float32, generator: _generator).TimesInPlace(std).MoveToOuterDisposeScope();
    }

    /// <summary>Ones on the CPU, float32 (e.g. normalization scales).</summary>
    public static Tensor Ones(params long[] shape) => ones(shape, dtype: ScalarType.Float32);

    /// <summary>Zeros on the CPU, float32.</summary>
    public static Tensor Zeros(params long[] shape) => zeros(shape, dtype: ScalarType.Float32);

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
