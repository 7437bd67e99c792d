using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SharpShot.Serving;

/// <summary>Reads a request body within a byte limit, for every route that takes one.</summary>
internal static class RequestBody
{
    /// <summary>
    /// The whole body, or why it is refused: a declared length over <paramref name="limit"/> is refused before a
    /// byte is read, and reading stops as soon as the body passes it (the server's own body limit is set to it too).
    /// </summary>
    public static async Task<(byte[]? Body, string? TooLarge)> ReadAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return (null, $"The request body is {context.Request.ContentLength:N0} bytes; at most {limit:N0} are accepted.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        string overLimit = $"The request body is over {limit:N0} bytes, the most accepted.";
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, overLimit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, overLimit);
        }

        return (buffer.ToArray(), null);
    }
}
