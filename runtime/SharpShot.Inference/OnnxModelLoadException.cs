namespace SharpShot.Inference;

/// <summary>
/// Thrown when <see cref="OnnxModel"/> cannot load a model: the bytes are not ONNX, ONNX Runtime rejects
/// the graph, the model's signature is not one <see cref="OnnxModel"/> runs (one float input with a batch
/// axis, one float output), its SharpShot metadata is malformed, or a requested execution provider is missing.
/// </summary>
public sealed class OnnxModelLoadException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public OnnxModelLoadException()
        : base("The ONNX model could not be loaded.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong, naming the model.</param>
    public OnnxModelLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    /// <param name="message">What went wrong, naming the model.</param>
    /// <param name="innerException">The underlying failure, e.g. ONNX Runtime's exception.</param>
    public OnnxModelLoadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a model loaded from a file or from bytes.</summary>
    /// <param name="filePath">The model file; <see langword="null"/> for a model loaded from bytes.</param>
    /// <param name="message">What went wrong, naming the model.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public OnnxModelLoadException(string? filePath, string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The model file; <see langword="null"/> when the model was loaded from bytes.</summary>
    public string? FilePath { get; }
}
