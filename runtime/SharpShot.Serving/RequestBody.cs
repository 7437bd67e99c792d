using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SharpShot.Serving;

/// <summary>Reads a request body within a byte limit, for every route that takes one.</summary>
internal static class RequestBody
{
    /// <summary>
    /// Why a body whose declared length is over <paramref name="limit"/> is refused (before a byte is read); otherwise
    /// null, with the server's own body limit set to <paramref name="limit"/>, so that reading stops past it.
    /// </summary>
    public static string? Limit(HttpContext context, long limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return $"The request body is {context.Request.ContentLength:N0} bytes; at most {limit:N0} are accepted.";
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        return null;
    }

    /// <summary>Why a body that passed <paramref name="limit"/> while it was read is refused.</summary>
    public static string OverLimit(long limit) => $"The request body is over {limit:N0} bytes, the most accepted.";

    /// <summary>
    /// The whole body, or the status and reason it is refused with: 413 when a declared length is over
    /// <paramref name="limit"/> (refused before a byte is read) or the body passes it (reading stops there; the server's
    /// own body limit is set to it too), 415 for a <c>Content-Encoding</c> other than gzip, deflate, br or identity, 400 for
    /// a compressed body that does not decompress. A compressed body (as Triton's clients send with compression on) is
    /// decompressed, and the limit holds for the decompressed bytes too, so a small compression bomb stops at the limit.
    /// </summary>
    public static async Task<(byte[]? Body, int Status, string? Error)> ReadAsync(HttpContext context, long limit)
    {
        if (Limit(context, limit) is { } declaredTooLarge)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, declaredTooLarge);
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

        string overLimit = OverLimit(limit);
        // Read into small chunks (below the large-object heap's threshold, so a refused body is gen-0 garbage) and copy
        // them once into an array of the exact size: the peak is twice the body, not the three times a growing
        // MemoryStream and its ToArray copy can take.
        const int ChunkBytes = 64 * 1024;
        var chunks = new List<byte[]>();
        long total = 0;
        try
        {
            while (true)
            {
                var chunk = new byte[ChunkBytes];
                int filled = 0, read;
                while (filled < ChunkBytes && (read = await source.ReadAsync(chunk.AsMemory(filled), context.RequestAborted)) > 0)
                {
                    filled += read;
                    if (total + filled > limit)
                    {
                        return (null, StatusCodes.Status413PayloadTooLarge, overLimit);
                    }
                }

                total += filled;
                chunks.Add(chunk);
                if (filled < ChunkBytes)
                {
                    break;
                }
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

        var whole = new byte[total];
        for (int i = 0; i < chunks.Count; i++)
        {
            chunks[i].AsSpan(0, (int)Math.Min(ChunkBytes, total - ((long)i * ChunkBytes))).CopyTo(whole.AsSpan(i * ChunkBytes));
        }

        return (whole, StatusCodes.Status200OK, null);
    }
}
