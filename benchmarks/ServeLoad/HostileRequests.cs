using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SharpShot.Testing;

namespace ServeLoad;

/// <summary>
/// How the server answered one kind of hostile request: the status it should give and the statuses it gave. For a body
/// the client keeps sending after the server refused it, "connection closed" is the documented end too: the server
/// answers 413 and closes the connection, and the sender sees the close before it reads the answer.
/// </summary>
internal sealed record HostileTally(string Kind, int Expected, IReadOnlyDictionary<string, int> Outcomes, bool CloseAllowed = false)
{
    /// <summary>Requests answered otherwise than expected.</summary>
    public int Unexpected => Outcomes
        .Where(o => o.Key != Expected.ToString(System.Globalization.CultureInfo.InvariantCulture) && !(CloseAllowed && o.Key.StartsWith("connection closed", StringComparison.Ordinal)))
        .Sum(o => o.Value);

    public override string ToString() =>
        $"{Kind}: expected {Expected}, got {string.Join(", ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} x{o.Value}"))}";
}

/// <summary>
/// Oversized, malformed and hostile requests sent over and over while the load runs: 100 MB bodies (declared and
/// chunked), a PNG decompression bomb, a gzip bomb, bad base64, wrong shapes, malformed JSON, a lying binary size.
/// Each kind has the status the documentation gives it; the tally says what the server answered.
/// </summary>
internal sealed class HostileRequests(HttpClient client, string inputJson, bool imageModel)
{
    private const long HugeBody = 100L << 20;

    private static readonly byte[] PngBomb = TestImages.BlankPng(16000, 16000);
    private static readonly Lazy<byte[]> GzipBomb = new(() =>
    {
        // 256 MiB of zeros, gzip'ed to about 250 KB: far over the 64 MiB body limit once decompressed.
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++)
            {
                gzip.Write(zeros);
            }
        }

        return compressed.ToArray();
    });

    private readonly Dictionary<string, (int Expected, bool CloseAllowed, Dictionary<string, int> Outcomes)> _tally = [];

    public IReadOnlyList<HostileTally> Tally =>
        _tally.Select(t => new HostileTally(t.Key, t.Value.Expected, new Dictionary<string, int>(t.Value.Outcomes), t.Value.CloseAllowed)).ToArray();

    /// <summary>Sends every kind in turn, again and again, until <paramref name="stop"/>.</summary>
    public async Task RunUntil(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            // Declared: refused from Content-Length before the body is sent (the client waits for 100 Continue, as curl does).
            await Send("100 MB body, length declared", 413, () => Huge(declareLength: true));
            // Chunked: refused once 64 MiB are read; the client, still sending, may see the connection close first.
            await Send("100 MB body, chunked", 413, () => Huge(declareLength: false), closeAllowed: true);
            await Send("gzip bomb (256 MiB of zeros)", 413, () => Post("/v2/models/m/infer", Gzipped(GzipBomb.Value), "application/json"));
            await Send("PNG bomb 16000x16000", imageModel ? 413 : 400, () => Post("/v1/models/m/classify", new ByteArrayContent(PngBomb), "image/png"));
            await Send("bad base64 image", 400, () => Post("/v1/models/m/classify", Text("{\"image\": \"%%% not base64 %%%\"}"), "application/json"));
            await Send("wrong shape", 400, () => Post("/v2/models/m/infer", Text(inputJson.Replace("\"shape\": [", "\"shape\": [7, ", StringComparison.Ordinal)), "application/json"));
            await Send("malformed JSON", 400, () => Post("/v2/models/m/infer", Text("{\"inputs\": [{\"name\": "), "application/json"));
            await Send("binary size that lies", 400, () => LyingBinary());
        }
    }

    private Task<HttpResponseMessage> Huge(bool declareLength)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/m/infer") { Content = new ZeroContent(HugeBody, declareLength) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request);
    }

    private async Task Send(string kind, int expected, Func<Task<HttpResponseMessage>> request, bool closeAllowed = false)
    {
        string outcome;
        try
        {
            using HttpResponseMessage response = await request();
            await response.Content.ReadAsByteArrayAsync();
            outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e)
        {
            // The server may close the connection once it has refused a body the client is still sending.
            outcome = $"connection closed ({e.HttpRequestError})";
        }

        if (!_tally.TryGetValue(kind, out var entry))
        {
            _tally[kind] = entry = (expected, closeAllowed, []);
        }

        entry.Outcomes[outcome] = entry.Outcomes.GetValueOrDefault(outcome) + 1;
    }

    private Task<HttpResponseMessage> Post(string path, HttpContent content, string contentType)
    {
        content.Headers.ContentType ??= new MediaTypeHeaderValue(contentType);
        return client.PostAsync(path, content);
    }

    private static ByteArrayContent Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private static ByteArrayContent Gzipped(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private Task<HttpResponseMessage> LyingBinary()
    {
        string header = inputJson.Replace("\"data\": [", "\"parameters\": {\"binary_data_size\": 8}, \"ignored\": [", StringComparison.Ordinal);
        byte[] json = Encoding.UTF8.GetBytes(header);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/m/infer") { Content = new ByteArrayContent([.. json, .. new byte[8]]) };
        request.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return client.SendAsync(request);
    }

    /// <summary>A body of zeros written as it is sent, so the client never holds it.</summary>
    private sealed class ZeroContent(long length, bool declareLength) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var zeros = new byte[1 << 16];
            for (long sent = 0; sent < length; sent += zeros.Length)
            {
                await stream.WriteAsync(zeros.AsMemory(0, (int)Math.Min(zeros.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return declareLength;
        }
    }
}
