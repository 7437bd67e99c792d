using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SharpShot.Serving.Tests;

/// <summary>
/// The binary tensor data extension, byte for byte as Triton's HTTP clients send and read it: a JSON header whose length is
/// in <c>Inference-Header-Content-Length</c>, then each binary input's bytes in input order; binary outputs the same way
/// back. The requests are built here the way <c>tritonclient.http</c> builds them (no outputs named → the request parameter
/// <c>binary_data_output</c>).
/// </summary>
public class BinaryTensorDataTests
{
    private const string HeaderLength = "Inference-Header-Content-Length";

    private static Task<Server> Serve(long? maxRequestBytes = null) =>
        Server.Start(new Dictionary<string, byte[]?> { ["affine"] = Server.Affine(), ["mixed"] = Server.Mixed() }, maxRequestBytes);

    /// <summary>A request: the JSON header, then the binary parts; the header length set when there are any.</summary>
    private static HttpRequestMessage Request(string model, string json, params byte[][] binary)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. binary.SelectMany(b => b)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{model}/infer") { Content = content };
        if (binary.Length > 0)
        {
            request.Headers.Add(HeaderLength, header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }

    /// <summary>The response's JSON header and each output's binary bytes (by name), read as Triton's client reads them.</summary>
    private static async Task<(int Status, JsonElement Header, Dictionary<string, byte[]> Binary)> Send(Server server, HttpRequestMessage request)
    {
        using var response = await server.Client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        int length = response.Headers.TryGetValues(HeaderLength, out var values) ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : body.Length;
        JsonElement header = JsonDocument.Parse(body.AsMemory(0, length)).RootElement.Clone();
        var binary = new Dictionary<string, byte[]>();
        int offset = length;
        if (header.TryGetProperty("outputs", out JsonElement outputs))
        {
            foreach (JsonElement output in outputs.EnumerateArray())
            {
                if (output.TryGetProperty("parameters", out JsonElement p) && p.TryGetProperty("binary_data_size", out JsonElement size))
                {
                    binary[output.GetProperty("name").GetString()!] = body[offset..(offset + size.GetInt32())];
                    offset += size.GetInt32();
                }
            }
        }

        Assert.Equal(body.Length, offset);
        return ((int)response.StatusCode, header, binary);
    }

    private static byte[] Int64s(params long[] values) => values.SelectMany(v => { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }).ToArray();

    private static byte[] Halves(params float[] values) => values.SelectMany(v => { var b = new byte[2]; BinaryPrimitives.WriteHalfLittleEndian(b, (Half)v); return b; }).ToArray();

    private static byte[] Floats(params float[] values) => values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }).ToArray();

    private static float[] ReadFloats(byte[] bytes) => Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();

    [Fact]
    public async Task The_server_says_it_speaks_the_extension()
    {
        await using var server = await Serve();
        var (_, metadata) = await server.Get("/v2");
        Assert.Contains("binary_tensor_data", metadata.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Binary_inputs_of_several_types_and_no_outputs_named_give_every_output_as_binary_data()
    {
        await using var server = await Serve();
        string json = """
            {"id": "7", "inputs": [
              {"name": "ids", "shape": [1, 3], "datatype": "INT64", "parameters": {"binary_data_size": 24}},
              {"name": "pixels", "shape": [1, 3], "datatype": "UINT8", "parameters": {"binary_data_size": 3}},
              {"name": "h", "shape": [1, 3], "datatype": "FP16", "parameters": {"binary_data_size": 6}}],
             "parameters": {"binary_data_output": true}}
            """;

        var (status, header, binary) = await Send(server, Request("mixed", json, Int64s(1, 2, 3), [10, 20, 255], Halves(0.5f, -1, 2)));

        Assert.True(status == 200, header.ToString());
        Assert.Equal("7", header.GetProperty("id").GetString());
        var outputs = header.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.All(outputs.Values, o => Assert.False(o.TryGetProperty("data", out _)));
        Assert.Equal("FP32", outputs["sum"].GetProperty("datatype").GetString());
        Assert.Equal([11.5f, 21f, 260f], ReadFloats(binary["sum"]));
        Assert.Equal(Int64s(2, 4, 6), binary["doubled"]);
    }

    [Fact]
    public async Task Json_and_binary_mix_per_tensor_and_binary_data_on_an_output_overrides_the_request()
    {
        await using var server = await Serve();
        string json = """
            {"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "parameters": {"binary_data_size": 24}}],
             "outputs": [{"name": "y", "parameters": {"binary_data": false}}, {"name": "z", "parameters": {"binary_data": true}}],
             "parameters": {"binary_data_output": true}}
            """;

        var (status, header, binary) = await Send(server, Request("affine", json, Floats(1, -2, 0.5f, 0, 3, -1)));

        Assert.True(status == 200, header.ToString());
        var outputs = header.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal([3f, -3f, 2f, 1f, 7f, -1f], outputs["y"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(6, outputs["z"].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(new byte[] { 1, 0, 1, 0, 1, 0 }, binary["z"]);
    }

    [Fact]
    public async Task Json_only_requests_still_get_json_only_answers_without_the_header()
    {
        await using var server = await Serve();
        using var response = await server.Client.PostAsync("/v2/models/affine/infer",
            new StringContent("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(HeaderLength));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<string, byte[], string?, string> BadBinaryRequests() => new()
    {
        // json, binary, header override, reason
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 8}}]}""", Floats(1, 2), null, "expected 12 bytes" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": "12"}}]}""", Floats(1, 2, 3), null, "expected 12 bytes" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2, 3, 4), null, "4 bytes of binary data after" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2), null, "only 8 bytes" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3], "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2, 3), null, "both \"data\" and \"binary_data_size\"" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2, 3), "99999", "the body holds" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2, 3), "-4", "expected the JSON header's length" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2, 3), "12", "not valid JSON" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": 5}]}""", Floats(1, 2, 3), null, "\"parameters\" of input 'x'" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}], "parameters": {"binary_data_output": "yes"}}""", Floats(1, 2, 3), null, "expected true or false" },
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32"}]}""", Floats(1, 2, 3), null, "neither \"data\" nor the parameter \"binary_data_size\"" },
    };

    [Theory]
    [MemberData(nameof(BadBinaryRequests))]
    public async Task Malformed_binary_requests_are_400_in_the_protocols_error_shape(string json, byte[] binary, string? headerOverride, string reason)
    {
        await using var server = await Serve();
        using var request = Request("affine", json, binary);
        if (headerOverride is not null)
        {
            request.Headers.Remove(HeaderLength);
            request.Headers.TryAddWithoutValidation(HeaderLength, headerOverride);
        }

        var (status, header, _) = await Send(server, request);

        Assert.Equal(400, status);
        Assert.Contains(reason, header.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_binary_input_without_the_header_is_400_not_a_misread()
    {
        await using var server = await Serve();
        using var request = Request("affine", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", Floats(1, 2, 3));
        request.Headers.Remove(HeaderLength);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static HttpRequestMessage Compressed(HttpRequestMessage request, string encoding, Func<Stream, Stream> compressor)
    {
        byte[] plain = request.Content!.ReadAsByteArrayAsync().Result;
        using var buffer = new MemoryStream();
        using (Stream stream = compressor(buffer))
        {
            stream.Write(plain);
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentEncoding.Add(encoding);
        request.Content = content;
        return request;
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Compressed_requests_as_tritons_client_sends_them_are_decompressed(string encoding)
    {
        await using var server = await Serve();
        using var request = Compressed(
            Request("affine", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}], "outputs": [{"name": "y"}]}""", Floats(1, 2, 3)),
            encoding, s => encoding == "gzip" ? new GZipStream(s, CompressionLevel.Fastest) : new ZLibStream(s, CompressionLevel.Fastest));

        var (status, header, _) = await Send(server, request);

        Assert.True(status == 200, header.ToString());
        Assert.Equal([3f, 5f, 7f], header.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task A_compression_bomb_stops_at_the_body_limit_and_bad_or_unknown_encodings_are_refused()
    {
        await using var server = await Serve(maxRequestBytes: 1 << 20);
        using var bomb = new HttpRequestMessage(HttpMethod.Post, "/v2/models/affine/infer") { Content = new ByteArrayContent(new byte[64 << 20]) };
        using var compressedBomb = Compressed(bomb, "gzip", s => new GZipStream(s, CompressionLevel.SmallestSize));
        Assert.True(compressedBomb.Content!.Headers.ContentLength < 1 << 20);

        var (bombStatus, bombError, _) = await Send(server, compressedBomb);
        using var garbage = new HttpRequestMessage(HttpMethod.Post, "/v2/models/affine/infer") { Content = new ByteArrayContent([1, 2, 3, 4]) };
        garbage.Content.Headers.ContentEncoding.Add("gzip");
        var (garbageStatus, garbageError, _) = await Send(server, garbage);
        using var unknown = new HttpRequestMessage(HttpMethod.Post, "/v2/models/affine/infer") { Content = new StringContent("{}") };
        unknown.Content.Headers.ContentEncoding.Add("zstd");
        var (unknownStatus, unknownError, _) = await Send(server, unknown);

        Assert.Equal(413, bombStatus);
        Assert.Contains("over 1,048,576 bytes", bombError.GetProperty("error").GetString());
        Assert.Equal(400, garbageStatus);
        Assert.Contains("not valid gzip data", garbageError.GetProperty("error").GetString());
        Assert.Equal(415, unknownStatus);
        Assert.Contains("'zstd'", unknownError.GetProperty("error").GetString());
    }
}
