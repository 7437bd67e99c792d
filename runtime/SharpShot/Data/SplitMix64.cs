namespace SharpShot.Data;

/// <summary>
/// SplitMix64: a tiny, fully specified random stream, so generated data and sampled episodes cannot change
/// when .NET changes <see cref="Random"/>'s algorithm. Shared by every seeded generator in SharpShot.
/// </summary>
internal struct SplitMix64(ulong state)
{
    /// <summary>The golden-ratio increment of the state.</summary>
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    private ulong _state = state;

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + Golden);
        return Scramble(_state);
    }

    /// <summary>Uniform in [0, 1), from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double NextDouble(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform in [0, 1), from the top 24 bits (a float's precision).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public float NextFloat(float min, float max) => min + ((max - min) * NextFloat());

    /// <summary>Uniform in [0, <paramref name="bound"/>), by multiply-shift (bias below 2^-32 for small bounds).</summary>
    public int NextInt(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);

    /// <summary>The SplitMix64 finaliser: a bijection that spreads every input bit over the output.</summary>
    public static ulong Scramble(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Combines two values into a well-mixed 64-bit seed.</summary>
    public static ulong Mix(ulong a, ulong b) => Scramble(unchecked(a ^ (b * Golden) ^ 0xD1B54A32D192ED03UL));
}
