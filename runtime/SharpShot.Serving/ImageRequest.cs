using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SharpShot.Imaging;

namespace SharpShot.Serving;

/// <summary>
/// An image sent to a <c>/v1</c> route: the file's bytes as the body (<c>image/png</c>, <c>image/jpeg</c>, any type but
/// JSON), or JSON <c>{"image": "&lt;base64&gt;"}</c> for clients that speak only JSON.
/// </summary>
internal static class ImageRequest
{
    /// <summary>The encoded image, or the problem to answer with (413 over the limits, 400 bad JSON or base64).</summary>
    public static async Task<(byte[]? Image, IResult? Problem)> ReadAsync(HttpContext context, long maxRequestBytes)
    {
        long limit = Math.Min(maxRequestBytes, (long)ImageLimits.Default.MaxFileBytes * 4 / 3 + 1024);
        var (body, status, refused) = await RequestBody.ReadAsync(context, IsJson(context.Request) ? limit : Math.Min(maxRequestBytes, ImageLimits.Default.MaxFileBytes));
        if (body is null)
        {
            return (null, ProblemResults.Problem(status, status == StatusCodes.Status413PayloadTooLarge ? "Image too large" : "Unreadable body", refused!, "body"));
        }

        if (!IsJson(context.Request))
        {
            return (body, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("image", out JsonElement image)
                ? Base64(image, "image")
                : (null, ProblemResults.Problem(StatusCodes.Status400BadRequest, "Bad request", "A JSON body needs \"image\": the image file's bytes in base64.", "image"));
        }
        catch (JsonException e)
        {
            return (null, ProblemResults.Problem(StatusCodes.Status400BadRequest, "Bad JSON", $"The request body is not valid JSON: {e.Message}", "body"));
        }
    }

    /// <summary>Whether the body is JSON by its content type.</summary>
    public static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>An image's bytes from a base64 JSON string, or a 400 naming <paramref name="field"/>.</summary>
    public static (byte[]? Image, IResult? Problem) Base64(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return (null, ProblemResults.Problem(StatusCodes.Status400BadRequest, "Bad image", $"\"{field}\" is a JSON {value.ValueKind}; expected the image file's bytes in base64.", field));
        }

        // A data URL (what a browser's FileReader gives) is accepted too: its base64 follows ";base64,".
        string text = value.GetString()!;
        int comma = text.StartsWith("data:", StringComparison.Ordinal) ? text.IndexOf(";base64,", StringComparison.Ordinal) : -1;
        ReadOnlySpan<char> base64 = comma >= 0 ? text.AsSpan(comma + ";base64,".Length) : text;
        var bytes = new byte[base64.Length / 4 * 3 + 3];
        if (Convert.TryFromBase64Chars(base64, bytes, out int written))
        {
            bytes = bytes[..written];
            return bytes.Length <= ImageLimits.Default.MaxFileBytes
                ? (bytes, null)
                : (null, ProblemResults.Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", $"\"{field}\" holds {bytes.Length:N0} bytes; at most {ImageLimits.Default.MaxFileBytes:N0} are accepted.", field));
        }

        return (null, ProblemResults.Problem(StatusCodes.Status400BadRequest, "Bad image", $"\"{field}\" is not valid base64.", field));
    }
}
