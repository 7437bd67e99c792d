namespace SharpShot.Generators.Layers;

/// <summary><c>[BatchNorm2d(Momentum = 0.1, Epsilon = 1e-5)]</c>: batch normalization of a (C, H, W) input. See <see cref="BatchNormRule"/>.</summary>
internal sealed class BatchNorm2dRule : BatchNormRule
{
    public BatchNorm2dRule()
        : base("BatchNorm2d")
    {
    }

    protected override string InputDescription => "(channels, height, width)";

    protected override bool Accepts(int rank) => rank == 3;
}
