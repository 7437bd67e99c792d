namespace SharpShot.FewShot;

/// <summary>
/// A small counter-based random stream (SplitMix64) keyed by (seed, episode index, stream): episode
/// <c>i</c> of a sampler is drawn from its own stream, so it depends on nothing but the seed and <c>i</c> —
/// not on which episodes were drawn before, nor on the .NET version's <see cref="Random"/> algorithm.
/// </summary>
internal struct EpisodeRandom
{
    /// <summary>The stream the classes and samples of an episode come from.</summary>
    public const ulong SamplingStream = 0x5A4D_504C_494E_4731;

    /// <summary>The stream an episode's transform draws from (independent of the sampling).</summary>
    public const ulong TransformStream = 0x5452_414E_5346_4F52;

    private const ulong Golden = 0x9E37_79B9_7F4A_7C15;

    private ulong state;

    /// <summary>Creates the stream for episode <paramref name="index"/> of a sampler seeded with <paramref name="seed"/>.</summary>
    public EpisodeRandom(int seed, long index, ulong stream) =>
        state = Mix(Mix(unchecked((ulong)(uint)seed ^ stream)) + unchecked((ulong)index * Golden));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        state = unchecked(state + Golden);
        return Mix(state);
    }

    /// <summary>A uniform integer in <c>[0, bound)</c>, without modulo bias.</summary>
    public int Next(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong n = (ulong)bound;
        ulong threshold = unchecked(0UL - n) % n;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold)
            {
                return (int)(r % n);
            }
        }
    }

    /// <summary>A 32-bit seed for a <see cref="Random"/> derived from this stream.</summary>
    public int NextSeed() => (int)(NextUInt64() >> 33);

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
            return z ^ (z >> 31);
        }
    }
}
