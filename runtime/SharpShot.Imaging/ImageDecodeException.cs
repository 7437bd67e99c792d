namespace SharpShot.Imaging;

/// <summary>
/// Image data that cannot be decoded: not a PNG, JPEG or BMP image, corrupt, truncated or empty. The message names
/// the source (file or entry) when one is known and says what is wrong; <see cref="Reason"/> holds the latter alone.
/// </summary>
public class ImageDecodeException : Exception
{
    /// <summary>Creates the exception with a general message.</summary>
    public ImageDecodeException()
        : this("the image cannot be decoded.", null)
    {
    }

    /// <summary>Creates the exception for a reason, with no source named.</summary>
    public ImageDecodeException(string reason)
        : this(reason, null)
    {
    }

    /// <summary>Creates the exception for a reason, with no source named.</summary>
    public ImageDecodeException(string reason, Exception? innerException)
        : this(reason, null, innerException)
    {
    }

    /// <summary>Creates the exception for a reason and the source it concerns.</summary>
    /// <param name="reason">What is wrong, e.g. <c>the PNG data is truncated: ...</c>.</param>
    /// <param name="sourceName">The file or entry, or <see langword="null"/> for in-memory data.</param>
    /// <param name="innerException">The decoder's own error, if any.</param>
    public ImageDecodeException(string reason, string? sourceName, Exception? innerException = null)
        : base(sourceName is null ? $"Cannot decode the image: {reason}" : $"Cannot decode the image '{sourceName}': {reason}", innerException)
    {
        Reason = reason;
        SourceName = sourceName;
    }

    /// <summary>What is wrong, without the source's name.</summary>
    public string Reason { get; }

    /// <summary>The file or entry the data came from; <see langword="null"/> for in-memory data.</summary>
    public string? SourceName { get; }
}

/// <summary>An image beyond one of the <see cref="ImageLimits"/>, refused before it is decoded.</summary>
public sealed class ImageLimitException : ImageDecodeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">What exceeds which bound.</param>
    /// <param name="sourceName">The file or entry, or <see langword="null"/>.</param>
    /// <param name="limitName">The bound, e.g. <c>ImageLimits.MaxPixels</c>.</param>
    /// <param name="limit">Its value.</param>
    /// <param name="actual">What the image has or needs.</param>
    public ImageLimitException(string reason, string? sourceName, string limitName, long limit, long actual)
        : base(reason, sourceName)
    {
        LimitName = limitName;
        Limit = limit;
        Actual = actual;
    }

    /// <summary>The bound that was exceeded, e.g. <c>ImageLimits.MaxPixels</c>.</summary>
    public string LimitName { get; }

    /// <summary>The bound's value.</summary>
    public long Limit { get; }

    /// <summary>What the image has or needs.</summary>
    public long Actual { get; }
}
