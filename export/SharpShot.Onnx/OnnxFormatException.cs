namespace SharpShot.Onnx;

/// <summary>
/// Thrown when bytes that should hold an ONNX model do not: not protobuf, truncated, or missing the parts
/// every model has. (Derives from <see cref="Exception"/> because <see cref="InvalidDataException"/> is sealed.)
/// </summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public OnnxFormatException()
        : base("The data is not a valid ONNX model.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong, naming the source.</param>
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that revealed the problem.</summary>
    /// <param name="message">What is wrong, naming the source.</param>
    /// <param name="innerException">The underlying failure, e.g. a protobuf parse error.</param>
    public OnnxFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a model read from a file.</summary>
    /// <param name="filePath">The file that was read; <see langword="null"/> for in-memory bytes.</param>
    /// <param name="message">What is wrong, naming the source.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public OnnxFormatException(string? filePath, string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file the model was read from; <see langword="null"/> when it was read from bytes.</summary>
    public string? FilePath { get; }
}
