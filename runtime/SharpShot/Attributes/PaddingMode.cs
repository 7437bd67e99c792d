namespace SharpShot;

/// <summary>How a convolution or pooling layer pads its input.</summary>
public enum PaddingMode
{
    /// <summary>The explicit <c>Padding</c> amount on every side (0 by default: Keras "valid").</summary>
    Explicit,

    /// <summary>
    /// Keras/TensorFlow "same": output size = ceil(input / stride); the total padding is split with the
    /// extra one at the end (bottom/right), as ONNX SAME_UPPER does.
    /// </summary>
    Same,
}
