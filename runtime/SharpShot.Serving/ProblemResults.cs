using Microsoft.AspNetCore.Http;

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
}
