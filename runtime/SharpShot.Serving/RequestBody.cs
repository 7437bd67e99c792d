using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SharpShot.Serving;

/// <summary>Reads a request body within a byte limit, for every route that takes one.</summary>
internal static class RequestBody
{
    /// <summary>
    /// The whole body, or the status and reason it is refused with: 413 when a declared length is over
    /// <paramref name="limit"/> (refused before a byte is read) or the body passes it (reading stops there; the server's
    /// own body limit is set to it too), 415 for a <c>Content-Encoding</c> other than gzip, deflate, br or identity, 400 for
    /// a compressed body that does not decompress. A compressed body (as Triton's clients send with compression on) is
    /// decompressed, and the limit holds for the decompressed bytes too, so a small compression bomb stops at the limit.
    /// </summary>
    public static async Task<(byte[]? Body, int Status, string? Error)> ReadAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"The request body is {context.Request.ContentLength:N0} bytes; at most {limit:N0} are accepted.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        string? encoding = context.Request.Headers.ContentEncoding;
        Stream body = context.Request.Body;
        Stream? source = encoding?.Trim().ToLowerInvariant() switch
        {
            null or "" or "identity" => body,
            "gzip" => new GZipStream(body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(body, CompressionMode.Decompress, leaveOpen: true),
            _ => null,
        };
        if (source is null)
        {
            return (null, StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported; send gzip, deflate, br or an uncompressed body.");
        }

        string overLimit = $"The request body is over {limit:N0} bytes, the most accepted.";
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, StatusCodes.Status413PayloadTooLarge, overLimit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, overLimit);
        }
        catch (InvalidDataException e)
        {
            return (null, StatusCodes.Status400BadRequest, $"The request body is not valid {encoding} data: {e.Message}");
        }
        finally
        {
            if (!ReferenceEquals(source, body))
            {
                await source.DisposeAsync();
            }
        }

        return (buffer.ToArray(), StatusCodes.Status200OK, null);
    }
}
