using System.Globalization;

namespace SharpShot.Inference;

/// <summary>
/// Thrown when a model or an input is larger than a safety limit allows (see <see cref="OnnxModelOptions"/>):
/// the host refuses before it allocates, so a hostile file cannot exhaust memory.
/// </summary>
public sealed class LimitExceededException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public LimitExceededException()
        : base("A safety limit was exceeded.")
    {
        LimitName = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What exceeded which limit.</param>
    public LimitExceededException(string message)
        : base(message)
    {
        LimitName = string.Empty;
    }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    /// <param name="message">What exceeded which limit.</param>
    /// <param name="innerException">The underlying failure.</param>
    public LimitExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
        LimitName = string.Empty;
    }

    /// <summary>Creates the exception for one limit.</summary>
    /// <param name="limitName">The setting, e.g. <c>OnnxModelOptions.MaxModelBytes</c>.</param>
    /// <param name="limit">Its value.</param>
    /// <param name="actual">What was asked for.</param>
    /// <param name="what">What was too large, e.g. <c>ONNX model '/m.onnx'</c>; starts the message.</param>
    /// <param name="unit">The unit of both numbers, e.g. <c>bytes</c>.</param>
    public LimitExceededException(string limitName, long limit, long actual, string what, string unit)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{what} needs {actual:N0} {unit}, more than {limitName} allows ({limit:N0}); raise {limitName} if this is expected."))
    {
        LimitName = limitName;
        Limit = limit;
        Actual = actual;
    }

    /// <summary>The setting that was exceeded, e.g. <c>OnnxModelOptions.MaxTensorElements</c>.</summary>
    public string LimitName { get; }

    /// <summary>The limit's value.</summary>
    public long Limit { get; }

    /// <summary>What was asked for, in the limit's unit.</summary>
    public long Actual { get; }
}
