namespace SharpShot.Data;

/// <summary>
/// An IDX file is malformed, or well-formed but not what the caller needs (for example images that are not
/// 28 x 28). The message names the file and what is wrong with it.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so one
/// <c>catch (IOException)</c> covers both a missing data file and a corrupt one.
/// </remarks>
public sealed class IdxFormatException : IOException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public IdxFormatException()
        : base("The file is not a valid IDX file.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What is wrong, including the file it concerns.</param>
    public IdxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the error that caused it.</summary>
    /// <param name="message">What is wrong, including the file it concerns.</param>
    /// <param name="innerException">The underlying error, for example a corrupt gzip stream.</param>
    public IdxFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about the file at <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that is wrong; part of the message and kept in <see cref="FilePath"/>.</param>
    /// <param name="problem">What is wrong with it, as a sentence without the file name.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public IdxFormatException(string filePath, string problem, Exception? innerException)
        : base($"Invalid IDX file '{filePath}': {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file the error is about, when known.</summary>
    public string? FilePath { get; }
}
