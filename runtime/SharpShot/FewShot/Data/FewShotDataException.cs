namespace SharpShot.FewShot;

/// <summary>
/// A few-shot data source is unreadable or not laid out as expected: a corrupt zip file or zip entry, an image
/// that cannot be decoded, or a folder or zip without the expected layout. The message names the file (and the
/// entry inside a zip) and what is wrong with it.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/>, so one <c>catch (IOException)</c> covers a missing source
/// (<see cref="FileNotFoundException"/>, <see cref="DirectoryNotFoundException"/>) and a bad one.
/// </remarks>
public sealed class FewShotDataException : IOException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public FewShotDataException()
        : base("The few-shot data source is invalid.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What is wrong, including the file it concerns.</param>
    public FewShotDataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and the error that caused it.</summary>
    /// <param name="message">What is wrong, including the file it concerns.</param>
    /// <param name="innerException">The underlying error, for example a corrupt deflate stream.</param>
    public FewShotDataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about the file at <paramref name="filePath"/>, or an entry inside it.</summary>
    /// <param name="filePath">The file or folder that is wrong (a zip file when <paramref name="entry"/> is given); part of the message and kept in <see cref="FilePath"/>.</param>
    /// <param name="entry">The entry inside the zip file <paramref name="filePath"/>, or null; part of the message and kept in <see cref="Entry"/>.</param>
    /// <param name="problem">What is wrong, as a sentence without the file name.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public FewShotDataException(string filePath, string? entry, string problem, Exception? innerException = null)
        : base(entry is null ? $"'{filePath}': {problem}" : $"'{filePath}', entry '{entry}': {problem}", innerException)
    {
        FilePath = filePath;
        Entry = entry;
    }

    /// <summary>The file or folder the error is about, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The entry inside the zip file <see cref="FilePath"/> the error is about, when it is about one.</summary>
    public string? Entry { get; }
}
