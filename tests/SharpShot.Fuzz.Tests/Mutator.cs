using System.Buffers.Binary;
using CsCheck;

namespace SharpShot.Fuzz.Tests;

/// <summary>
/// Mutated inputs drawn with CsCheck's generators from a seed list: one seed, then one to eight mutations (bit flips,
/// interesting bytes and 32-bit values in both byte orders, inserted, deleted and duplicated ranges, truncation),
/// then, for half the inputs, the format's checksum repair. The same PCG state draws the same input.
/// </summary>
internal sealed class Mutator
{
    private static readonly int[] Interesting = [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, int.MinValue, 0x3FFFFFFF, 4096, 16384, 65536];

    private static readonly Gen<(int Op, int Position, int Length, int Value)> Mutation =
        Gen.Select(Gen.Int[0, 8], Gen.Int[0, int.MaxValue], Gen.Int[1, 64], Gen.Int);

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly Func<byte[], byte[]>? _repair;
    private readonly Gen<byte[]> _inputs;

    public Mutator(IReadOnlyList<byte[]> seeds, Func<byte[], byte[]>? repair)
    {
        _seeds = seeds;
        _repair = repair;
        _inputs = Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int[1, 8], Gen.Bool, Gen.Select(Mutation, Mutation, Mutation, Mutation, Mutation, Mutation, Mutation, Mutation, (a, b, c, d, e, f, g, h) => new[] { a, b, c, d, e, f, g, h }), Apply);
    }

    /// <summary>Draws the next input.</summary>
    public byte[] Next(PCG pcg) => _inputs.Generate(pcg, null!, out _);

    private byte[] Apply(int seed, int count, bool repair, (int Op, int Position, int Length, int Value)[] mutations)
    {
        var data = new List<byte>(_seeds[seed]);
        for (int i = 0; i < count; i++)
        {
            Mutate(data, mutations[i]);
        }

        byte[] result = [.. data];
        return repair && _repair is not null ? _repair(result) : result;
    }

    private static void Mutate(List<byte> data, (int Op, int Position, int Length, int Value) m)
    {
        int at = data.Count == 0 ? 0 : m.Position % data.Count;
        int length = Math.Min(m.Length, Math.Max(0, data.Count - at));
        switch (m.Op)
        {
            case 0 when data.Count > 0: // flip one bit
                data[at] ^= (byte)(1 << (m.Value & 7));
                break;
            case 1 when data.Count > 0: // a random byte
                data[at] = (byte)m.Value;
                break;
            case 2 when data.Count > 0: // an interesting byte
                data[at] = (byte)Interesting[(m.Value & 0x7FFFFFFF) % Interesting.Length];
                break;
            case 3 when data.Count >= 4: // an interesting 32-bit value, either byte order
                Span<byte> four = stackalloc byte[4];
                int value = Interesting[(m.Value & 0x7FFFFFFF) % Interesting.Length];
                if ((m.Value & 0x100) != 0)
                {
                    BinaryPrimitives.WriteInt32BigEndian(four, value);
                }
                else
                {
                    BinaryPrimitives.WriteInt32LittleEndian(four, value);
                }

                at = Math.Min(at, data.Count - 4);
                for (int i = 0; i < 4; i++)
                {
                    data[at + i] = four[i];
                }

                break;
            case 4: // insert random bytes
                data.InsertRange(at, Enumerable.Range(0, m.Length).Select(i => (byte)(m.Value >> (i % 4 * 8))));
                break;
            case 5 when length > 0: // delete a range
                data.RemoveRange(at, length);
                break;
            case 6 when length > 0: // duplicate a range
                data.InsertRange(at, data.GetRange(at, length));
                break;
            case 7 when data.Count > 0: // truncate
                data.RemoveRange(at, data.Count - at);
                break;
            case 8 when length > 0: // copy a range elsewhere
                List<byte> range = data.GetRange(at, length);
                int to = (m.Value & 0x7FFFFFFF) % (data.Count - length + 1);
                for (int i = 0; i < length; i++)
                {
                    data[to + i] = range[i];
                }

                break;
        }
    }
}
