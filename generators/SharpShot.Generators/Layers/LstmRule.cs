namespace SharpShot.Generators.Layers;

/// <summary><c>[Lstm(units, ReturnSequences = false)]</c>: an LSTM with 4 gate blocks (i, f, g, o). See <see cref="RecurrentRule"/>.</summary>
internal sealed class LstmRule : RecurrentRule
{
    public LstmRule()
        : base("Lstm", gates: 4)
    {
    }
}
