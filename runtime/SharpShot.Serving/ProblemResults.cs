using Microsoft.AspNetCore.Http;
using SharpShot.Imaging;

namespace SharpShot.Serving;

/// <summary>The <c>/v1</c> routes' errors: problem details (RFC 9457) with a <c>field</c> naming what was wrong.</summary>
internal static class ProblemResults
{
    public static IResult Problem(int status, string title, string detail, string field) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult UnknownModel(string name) =>
        Problem(StatusCodes.Status404NotFound, "Unknown model", $"This server serves no model '{name}'.", "name");

    public static IResult BadTop(int? top) =>
        Problem(StatusCodes.Status400BadRequest, "Bad query", $"top must be at least 1; got {top}.", "top");

    /// <summary>Whether <paramref name="e"/> is how running a model on an image fails for a reason the client can fix (see <see cref="ImageFailure"/>).</summary>
    public static bool IsImageFailure(Exception e) => e is ImageDecodeException || (e is InvalidOperationException && e is not ObjectDisposedException);

    /// <summary>
    /// The problem for a failure <see cref="IsImageFailure"/> accepts: 413 an image beyond the limits, 400 not an image
    /// (both naming <paramref name="imageField"/>), 400 a model that is not ready (naming the model).
    /// </summary>
    public static IResult ImageFailure(Exception e, string imageField) => e switch
    {
        ImageLimitException limit => Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", limit.Reason + $" ({limit.LimitName})", imageField),
        ImageDecodeException decode => Problem(StatusCodes.Status400BadRequest, "Not an image", decode.Reason, imageField),
        _ => Problem(StatusCodes.Status400BadRequest, "Model not ready", e.Message, "name"),
    };
}
