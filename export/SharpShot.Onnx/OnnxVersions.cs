namespace SharpShot.Onnx;

/// <summary>
/// The pairing of default-domain opset versions with IR (file format) versions, from the table of
/// ONNX releases in the ONNX versioning document. A model written for an opset declares the IR version
/// of the ONNX release that introduced that opset: the oldest IR able to hold it, which is what older
/// runtimes and checkers accept.
/// </summary>
internal static class OnnxVersions
{
    /// <summary>Lowest opset the builder writes: the first one ONNX Runtime supports.</summary>
    public const int MinOpset = 7;

    /// <summary>Highest opset the builder writes.</summary>
    public const int MaxOpset = 23;

    /// <summary>IR version for an opset in <see cref="MinOpset"/>..<see cref="MaxOpset"/>.</summary>
    public static long IrVersionFor(int opset) => opset switch
    {
        7 or 8 => 3,            // ONNX 1.2, 1.3
        9 => 4,                 // ONNX 1.4
        10 => 5,                // ONNX 1.5
        11 => 6,                // ONNX 1.6
        >= 12 and <= 14 => 7,   // ONNX 1.7 - 1.9
        >= 15 and <= 18 => 8,   // ONNX 1.10 - 1.13
        19 or 20 => 9,          // ONNX 1.14, 1.15
        21 or 22 => 10,         // ONNX 1.16, 1.17
        23 => 11,               // ONNX 1.18
        _ => throw new ArgumentOutOfRangeException(
            nameof(opset), opset, $"Opset must be between {MinOpset} and {MaxOpset}."),
    };

    /// <summary>
    /// Before IR version 4 every initializer also had to be declared as a graph input; from 4 on
    /// initializers are plain constants and listing them as inputs makes them overridable.
    /// </summary>
    public static bool InitializersMustBeInputs(long irVersion) => irVersion < 4;
}
