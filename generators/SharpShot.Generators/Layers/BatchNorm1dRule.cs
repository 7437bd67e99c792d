namespace SharpShot.Generators.Layers;

/// <summary><c>[BatchNorm1d(Momentum = 0.1, Epsilon = 1e-5)]</c>: batch normalization of a (C) or (C, L) input. See <see cref="BatchNormRule"/>.</summary>
internal sealed class BatchNorm1dRule : BatchNormRule
{
    public BatchNorm1dRule()
        : base("BatchNorm1d")
    {
    }

    protected override string InputDescription => "(features) or (channels, length)";

    protected override bool Accepts(int rank) => rank is 1 or 2;
}
