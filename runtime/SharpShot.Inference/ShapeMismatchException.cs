namespace SharpShot.Inference;

/// <summary>
/// Thrown when a span passed to <see cref="OnnxModel"/> does not have the number of values the model's
/// shapes call for. The message names the expected count (and shape) and the count given.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception with a default message.</summary>
    public ShapeMismatchException()
        : base("The number of values does not match the model's shape.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was expected and what was given.</param>
    public ShapeMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">What was expected and what was given.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ShapeMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one argument.</summary>
    /// <param name="paramName">The span argument at fault.</param>
    /// <param name="message">What was expected and what was given.</param>
    /// <param name="expectedLength">Number of values the model needs (for an output span: at least this many).</param>
    /// <param name="actualLength">Number of values given.</param>
    public ShapeMismatchException(string paramName, string message, long expectedLength, long actualLength)
        : base(message, paramName)
    {
        ExpectedLength = expectedLength;
        ActualLength = actualLength;
    }

    /// <summary>Number of values the model needs; for an output span, the minimum.</summary>
    public long ExpectedLength { get; }

    /// <summary>Number of values given.</summary>
    public long ActualLength { get; }
}
