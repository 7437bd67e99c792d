namespace SharpShot.Generators.Layers;

/// <summary><c>[Gru(units, ReturnSequences = false)]</c>: a GRU with 3 gate blocks (r, z, n). See <see cref="RecurrentRule"/>.</summary>
internal sealed class GruRule : RecurrentRule
{
    public GruRule()
        : base("Gru", gates: 3)
    {
    }
}
