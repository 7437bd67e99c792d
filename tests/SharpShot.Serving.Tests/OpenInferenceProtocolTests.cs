using System.Net;
using System.Text;
using System.Text.Json;

namespace SharpShot.Serving.Tests;

/// <summary>Each Open Inference Protocol route answers in the specification's shape, errors included.</summary>
public class OpenInferenceProtocolTests
{
    private static Task<Server> Serve() => Server.Start(new Dictionary<string, byte[]?> { ["affine"] = Server.Affine(), ["mixed"] = Server.Mixed() });

    [Fact]
    public async Task Server_metadata_and_health()
    {
        await using var server = await Serve();

        var (metadataStatus, metadata) = await server.Get("/v2");
        var (liveStatus, live) = await server.Get("/v2/health/live");
        var (readyStatus, ready) = await server.Get("/v2/health/ready");

        Assert.Equal(200, metadataStatus);
        Assert.Equal("sharpshot", metadata.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(metadata.GetProperty("version").GetString()));
        Assert.Equal(JsonValueKind.Array, metadata.GetProperty("extensions").ValueKind);
        Assert.Equal((200, true), (liveStatus, live.GetProperty("live").GetBoolean()));
        Assert.Equal((200, true), (readyStatus, ready.GetProperty("ready").GetBoolean()));
    }

    [Fact]
    public async Task A_model_that_did_not_load_makes_the_server_and_it_not_ready_with_a_4xx()
    {
        await using var server = await Server.Start(new Dictionary<string, byte[]?> { ["affine"] = Server.Affine(), ["gone"] = null });

        var (serverStatus, serverReady) = await server.Get("/v2/health/ready");
        var (goneStatus, gone) = await server.Get("/v2/models/gone/ready");
        var (affineStatus, affine) = await server.Get("/v2/models/affine/ready");
        var (inferStatus, infer) = await server.Post("/v2/models/gone/infer", "{\"inputs\": []}");

        Assert.Equal((400, false), (serverStatus, serverReady.GetProperty("ready").GetBoolean()));
        Assert.Equal((400, "gone", false), (goneStatus, gone.GetProperty("name").GetString(), gone.GetProperty("ready").GetBoolean()));
        Assert.Equal((200, true), (affineStatus, affine.GetProperty("ready").GetBoolean()));
        Assert.Equal(400, inferStatus);
        Assert.Contains("not ready", infer.GetProperty("error").GetString());
        Assert.Contains("gone-missing.onnx", infer.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/v2/models/mixed")]
    [InlineData("/v2/models/mixed/versions/1")]
    public async Task Model_metadata_lists_tensors_with_protocol_datatypes_and_minus_one_for_open_axes(string path)
    {
        await using var server = await Serve();

        var (status, body) = await server.Get(path);

        Assert.Equal(200, status);
        Assert.Equal("mixed", body.GetProperty("name").GetString());
        Assert.Equal(["1"], body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("onnxruntime_onnx", body.GetProperty("platform").GetString());
        var inputs = body.GetProperty("inputs").EnumerateArray().ToArray();
        Assert.Equal(["ids", "pixels", "h"], inputs.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(["INT64", "UINT8", "FP16"], inputs.Select(i => i.GetProperty("datatype").GetString()));
        Assert.Equal([-1L, -1L], inputs[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["FP32", "INT64"], body.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("datatype").GetString()));
    }

    [Theory]
    [InlineData("/v2/models/nope", 404, "Unknown model 'nope'")]
    [InlineData("/v2/models/affine/versions/7", 404, "no version '7'")]
    [InlineData("/v2/models/nope/ready", 404, "Unknown model 'nope'")]
    public async Task Unknown_models_and_versions_are_404_in_the_protocols_error_shape(string path, int expected, string message)
    {
        await using var server = await Serve();

        var (status, body) = await server.Get(path);

        Assert.Equal(expected, status);
        Assert.Contains(message, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Inference_takes_flat_or_nested_data_echoes_the_id_and_returns_every_output()
    {
        await using var server = await Serve();

        var (status, body) = await server.Post("/v2/models/affine/infer",
            "{\"id\": \"42\", \"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [[1, -2, 0.5], [0, 3, -1]]}]}");

        Assert.True(status == 200, body.ToString());
        Assert.Equal("42", body.GetProperty("id").GetString());
        Assert.Equal("affine", body.GetProperty("model_name").GetString());
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal([2L, 3L], outputs["y"].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal("FP32", outputs["y"].GetProperty("datatype").GetString());
        Assert.Equal([3f, -3f, 2f, 1f, 7f, -1f], outputs["y"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal("BOOL", outputs["z"].GetProperty("datatype").GetString());
        Assert.Equal([true, false, true, false, true, false], outputs["z"].GetProperty("data").EnumerateArray().Select(v => v.GetBoolean()));
    }

    [Fact]
    public async Task Inference_with_integer_and_float16_inputs_and_only_the_requested_output()
    {
        await using var server = await Serve();

        var (status, body) = await server.Post("/v2/models/mixed/versions/1/infer", """
            {"inputs": [
              {"name": "ids", "shape": [1, 3], "datatype": "INT64", "data": [1, 2, 3]},
              {"name": "pixels", "shape": [1, 3], "datatype": "UINT8", "data": [10, 20, 255]},
              {"name": "h", "shape": [1, 3], "datatype": "FP16", "data": [0.5, -1, 2]}],
             "outputs": [{"name": "doubled"}]}
            """);

        Assert.True(status == 200, body.ToString());
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("doubled", output.GetProperty("name").GetString());
        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 4L, 6L], output.GetProperty("data").EnumerateArray().Select(v => v.GetInt64()));
        Assert.False(body.TryGetProperty("id", out _));
    }

    public static TheoryData<string, string> BadRequests() => new()
    {
        { "{\"inputs\": [", "not valid JSON" },
        { "[1, 2]", "expected an object" },
        { "{\"inputs\": []}", "non-empty array" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "needs 6 values; \"data\" holds 3" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4, 5]}]}", "more values" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, \"two\", 3]}]}", "Value 1 of input 'x' is \"two\"" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"INT64\", \"data\": [1, 2, 3]}]}", "takes Float values" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"STRING\", \"data\": [1, 2, 3]}]}", "datatype 'STRING'" },
        { "{\"inputs\": [{\"name\": \"w\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "no input 'w'" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}", "fixed at 3" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [100000, 100000, 3], \"datatype\": \"FP32\", \"data\": []}]}", "the most one tensor may hold" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [-1, 3], \"datatype\": \"FP32\", \"data\": []}]}", "at least 0" },
        { "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"q\"}]}", "'q'" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Requests_it_cannot_accept_are_400_with_the_reason(string json, string reason)
    {
        await using var server = await Serve();

        var (status, body) = await server.Post("/v2/models/affine/infer", json);

        Assert.Equal(400, status);
        Assert.Contains(reason, body.GetProperty("error").GetString());
        var (afterStatus, _) = await server.Get("/v2/health/live");
        Assert.Equal(200, afterStatus);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var server = await Server.Start(new Dictionary<string, byte[]?> { ["affine"] = Server.Affine() }, maxRequestBytes: 1 << 20);
        var big = new StringBuilder("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3], \"pad\": \"");
        big.Append('a', 2 << 20).Append("\"}]}");

        var (status, body) = await server.Post("/v2/models/affine/infer", big.ToString());

        Assert.Equal(413, status);
        Assert.Contains("at most 1,048,576", body.GetProperty("error").GetString());
    }
}
