using System.Net.Http.Headers;
using System.Text.Json;

namespace SharpShot.Serving.Tests;

/// <summary><c>POST /v1/models/{name}/classify</c>: an image in, the top labels out; problem details for every error.</summary>
public class ClassifyTests
{
    private static Task<Server> Serve(long? maxRequestBytes = null) =>
        Server.Start(new Dictionary<string, byte[]?> { ["shades"] = Server.DarkOrLight(), ["affine"] = Server.Affine() }, maxRequestBytes);

    private static async Task<(int Status, string? ContentType, JsonElement Body)> Post(Server server, string path, byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await server.Client.PostAsync(path, content);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static byte[] Flat(byte value) => TestImages.Png(4, 4, Enumerable.Repeat(value, 16).ToArray());

    [Fact]
    public async Task An_image_gets_its_top_labels_with_probabilities()
    {
        await using var server = await Serve();

        var (status, _, body) = await Post(server, "/v1/models/shades/classify?top=2", Flat(250));
        var (darkStatus, _, dark) = await Post(server, "/v1/models/shades/classify", TestImages.Png(8, 8, new byte[64]));

        Assert.Equal(200, status);
        Assert.Equal("shades", body.GetProperty("model").GetString());
        var predictions = body.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(["light", "dark"], predictions.Select(p => p.GetProperty("label").GetString()));
        Assert.True(predictions[0].GetProperty("probability").GetSingle() > 0.5f);
        Assert.Equal(1.0, predictions.Sum(p => p.GetProperty("probability").GetDouble()), 3);
        Assert.Equal(200, darkStatus);
        Assert.Equal("dark", dark.GetProperty("predictions")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task The_model_list_says_which_models_take_images_their_labels_and_output_shape()
    {
        await using var server = await Server.Start(new Dictionary<string, byte[]?>
        {
            ["shades"] = Server.DarkOrLight(), ["embed"] = Server.Brightness(), ["affine"] = Server.Affine(), ["gone"] = null,
        });

        var (status, body) = await server.Get("/v1/models");

        Assert.Equal(200, status);
        var models = body.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(["shades", "embed", "affine", "gone"], models.Keys);
        Assert.True(models["shades"].GetProperty("imageInput").GetBoolean());
        Assert.Equal(["dark", "light"], models["shades"].GetProperty("classLabels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal([2], models["embed"].GetProperty("outputShape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Empty(models["embed"].GetProperty("classLabels").EnumerateArray());
        Assert.False(models["affine"].GetProperty("imageInput").GetBoolean());
        Assert.False(models["gone"].GetProperty("ready").GetBoolean());
        Assert.Contains("gone-missing.onnx", models["gone"].GetProperty("error").GetString());
    }

    public static TheoryData<string, string, int, string, string> Errors() => new()
    {
        { "/v1/models/nope/classify", "png", 404, "name", "no model 'nope'" },
        { "/v1/models/shades/classify", "text", 400, "body", "not a PNG, JPEG or BMP image" },
        { "/v1/models/shades/classify", "bomb", 413, "body", "ImageLimits.MaxPixels" },
        { "/v1/models/affine/classify", "png", 400, "name", "does not describe an image input" },
        { "/v1/models/shades/classify?top=0", "png", 400, "top", "at least 1" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Errors_are_problem_details_naming_the_field(string path, string what, int expected, string field, string detail)
    {
        await using var server = await Serve();
        byte[] body = what switch
        {
            "text" => "hello"u8.ToArray(),
            "bomb" => TestImages.BlankPng(16000, 16000),
            _ => Flat(100),
        };

        var (status, contentType, problem) = await Post(server, path, body);

        Assert.Equal(expected, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(expected, problem.GetProperty("status").GetInt32());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        var (liveStatus, _) = await server.Get("/v2/health/live");
        Assert.Equal(200, liveStatus);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_before_it_is_decoded()
    {
        await using var server = await Serve(maxRequestBytes: 1000);

        var (status, _, problem) = await Post(server, "/v1/models/shades/classify", new byte[5000]);

        Assert.Equal(413, status);
        Assert.Contains("at most 1,000", problem.GetProperty("detail").GetString());
    }
}
