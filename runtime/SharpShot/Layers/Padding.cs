namespace SharpShot.Layers;

/// <summary>Zeros added before and after a 1-D input; the generator resolves "same" padding into these two numbers.</summary>
/// <param name="Start">Added before the first position.</param>
/// <param name="End">Added after the last position (one more than <paramref name="Start"/> when "same" needs an odd total, as Keras and ONNX SAME_UPPER do).</param>
public readonly record struct Padding1d(int Start, int End)
{
    /// <summary>True when both sides get the same amount.</summary>
    public bool IsSymmetric => Start == End;
}

/// <summary>Zeros added on each side of a 2-D input; the generator resolves "same" padding into these four numbers.</summary>
/// <param name="Top">Rows added above.</param>
/// <param name="Bottom">Rows added below.</param>
/// <param name="Left">Columns added on the left.</param>
/// <param name="Right">Columns added on the right.</param>
public readonly record struct Padding2d(int Top, int Bottom, int Left, int Right)
{
    /// <summary>The same amount on all four sides.</summary>
    public static Padding2d Symmetric(int padding) => new(padding, padding, padding, padding);

    /// <summary>True when opposite sides get the same amount (what TorchSharp's convolutions take directly).</summary>
    public bool IsSymmetric => Top == Bottom && Left == Right;
}
