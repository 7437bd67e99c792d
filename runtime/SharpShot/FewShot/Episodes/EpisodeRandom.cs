using SharpShot.Data;

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

    private SplitMix64 bits;

    /// <summary>Creates the stream for episode <paramref name="index"/> of a sampler seeded with <paramref name="seed"/>.</summary>
    public EpisodeRandom(int seed, long index, ulong stream) =>
        bits = new SplitMix64(SplitMix64.Scramble(unchecked(SplitMix64.Scramble((ulong)(uint)seed ^ stream) + ((ulong)index * SplitMix64.Golden))));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => bits.NextUInt64();

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
}
