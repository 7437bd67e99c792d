using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace SharpShot.Serving.Tests;

/// <summary>
/// Few-shot sessions on <c>/v1/models/{name}/sessions</c>: made from labelled example images (a browser's multipart form or
/// JSON with base64), asked to classify, read and deleted; bounded in count and idle lifetime; problem details naming the
/// field for every refusal.
/// </summary>
public class FewShotSessionTests
{
    private static readonly byte[] Black = Flat(0);
    private static readonly byte[] White = Flat(255);
    private static readonly byte[] LeftBright = TestImages.Png(4, 4, Enumerable.Range(0, 16).Select(i => i % 4 < 2 ? (byte)255 : (byte)0).ToArray());

    private static byte[] Flat(byte value) => TestImages.Png(4, 4, Enumerable.Repeat(value, 16).ToArray());

    private static Task<Server> Serve(Action<SharpShotServingOptions>? configure = null, TimeProvider? time = null, int reloadPollMilliseconds = 0) =>
        Server.Start(new Dictionary<string, byte[]?> { ["embed"] = Server.Brightness(), ["affine"] = Server.Affine() },
            configure: configure, time: time, reloadPollMilliseconds: reloadPollMilliseconds);

    /// <summary>A browser form: files "image" and texts "label", paired in order.</summary>
    private static MultipartFormDataContent Form(params (string Label, byte[] Image)[] examples)
    {
        var form = new MultipartFormDataContent();
        int i = 0;
        foreach (var (label, image) in examples)
        {
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "image", $"example{i++}.png");
            form.Add(new StringContent(label), "label");
        }

        return form;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> Send(Server server, HttpMethod method, string path, HttpContent? content = null)
    {
        var response = await server.Client.SendAsync(new HttpRequestMessage(method, path) { Content = content });
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private static HttpContent Png(byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static async Task<string> Create(Server server, string model = "embed") =>
        (await Send(server, HttpMethod.Post, $"/v1/models/{model}/sessions", Form(("dark", Black), ("light", White), ("left", LeftBright)))).Body.GetProperty("id").GetString()!;

    [Fact]
    public async Task A_session_from_a_form_classifies_queries_by_their_nearest_prototype_and_is_deleted()
    {
        await using var server = await Serve();

        var (status, created, response) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions",
            Form(("dark", Black), ("light", White), ("light", Flat(230)), ("left", LeftBright)));
        string id = created.GetProperty("id").GetString()!;
        var (darkStatus, dark, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Png(Flat(40)));
        var (_, left, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify?top=1",
            Png(TestImages.Png(4, 4, Enumerable.Range(0, 16).Select(i => i % 4 < 2 ? (byte)200 : (byte)30).ToArray())));
        var (_, nearBlack, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Png(Flat(10)));
        var (_, grey, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Png(Flat(128)));
        var (readStatus, read, _) = await Send(server, HttpMethod.Get, $"/v1/models/embed/sessions/{id}");
        var (deleteStatus, _, _) = await Send(server, HttpMethod.Delete, $"/v1/models/embed/sessions/{id}");
        var (afterStatus, after, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Png(Flat(40)));
        var (deleteAgainStatus, _, _) = await Send(server, HttpMethod.Delete, $"/v1/models/embed/sessions/{id}");

        Assert.True(status == 201, created.ToString());
        Assert.Equal($"/v1/models/embed/sessions/{id}", response.Headers.Location?.OriginalString);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(["dark:1", "light:2", "left:1"], created.GetProperty("classes").EnumerateArray().Select(c => $"{c.GetProperty("label").GetString()}:{c.GetProperty("examples").GetInt32()}"));
        Assert.Equal(200, darkStatus);
        var predictions = dark.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal("dark", predictions[0].GetProperty("label").GetString());
        Assert.Equal(3, predictions.Length);
        Assert.Equal(1.0, predictions.Sum(p => p.GetProperty("probability").GetDouble()), 3);
        Assert.Equal("left", Assert.Single(left.GetProperty("predictions").EnumerateArray()).GetProperty("label").GetString());
        // The rejection distance comes from "light"'s two examples (leave-one-out 0.098 in embedding units): a near-black
        // query is within it of "dark"; a mid-grey one is beyond it from every class.
        Assert.Equal(0.098, dark.GetProperty("rejectionDistance").GetDouble(), 3);
        Assert.False(nearBlack.GetProperty("unknown").GetBoolean());
        Assert.True(grey.GetProperty("unknown").GetBoolean());
        Assert.True(grey.GetProperty("distance").GetSingle() > 0.4f);
        Assert.Equal((200, id), (readStatus, read.GetProperty("id").GetString()));
        Assert.Equal(204, deleteStatus);
        Assert.Equal(404, afterStatus);
        Assert.Equal("id", after.GetProperty("field").GetString());
        Assert.Equal(404, deleteAgainStatus);
    }

    [Fact]
    public async Task A_session_from_json_with_base64_and_data_urls_classifies_a_json_query()
    {
        await using var server = await Serve();
        string json = $$"""
            {"examples": [
              {"label": "dark", "image": "{{Convert.ToBase64String(Black)}}"},
              {"label": "light", "image": "data:image/png;base64,{{Convert.ToBase64String(White)}}"}]}
            """;

        var (status, created, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", Json(json));
        string id = created.GetProperty("id").GetString()!;
        var (queryStatus, answer, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify",
            Json($$"""{"image": "{{Convert.ToBase64String(Flat(220))}}"}"""));

        Assert.True(status == 201, created.ToString());
        Assert.Equal(200, queryStatus);
        Assert.Equal("light", answer.GetProperty("predictions")[0].GetProperty("label").GetString());
    }

    public static TheoryData<string, string, int, string> BadCreations() => new()
    {
        // model, JSON body, status, field
        { "embed", """{"examples": [{"label": "a", "image": "not base64!"}]}""", 400, "examples[0].image" },
        { "embed", """{"examples": [{"label": "a", "image": 42}]}""", 400, "examples[0].image" },
        { "embed", """{"examples": [{"label": "", "image": "AAAA"}]}""", 400, "examples[0].label" },
        { "embed", $$"""{"examples": [{"label": "{{new string('x', 201)}}", "image": "AAAA"}]}""", 400, "examples[0].label" },
        { "embed", """{"examples": [{"label": "a"}]}""", 400, "examples[0]" },
        { "embed", """{"examples": []}""", 400, "examples" },
        { "embed", """{"shots": []}""", 400, "examples" },
        { "embed", """{"examples": [""", 400, "body" },
        { "embed", """{"examples": [{"label": "a", "image": "AAAAAAAA"}]}""", 400, "examples[0].image" },
        { "affine", """{"examples": [{"label": "a", "image": "AAAA"}]}""", 400, "name" },
        { "nothing", """{"examples": []}""", 404, "name" },
    };

    [Theory]
    [MemberData(nameof(BadCreations))]
    public async Task Sessions_it_cannot_make_are_refused_with_problem_details_naming_the_field(string model, string json, int expected, string field)
    {
        await using var server = await Serve();

        var (status, problem, response) = await Send(server, HttpMethod.Post, $"/v1/models/{model}/sessions", Json(json));

        Assert.True(status == expected, problem.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(0, server.Services.GetRequiredService<FewShotSessions>().Count);
    }

    [Fact]
    public async Task Bad_forms_are_refused_naming_the_field()
    {
        await using var server = await Serve(options => options.Sessions.MaxExamples = 2);
        var unpaired = Form(("dark", Black));
        unpaired.Add(new StringContent("extra"), "label");
        var notAnImage = Form(("dark", Black), ("light", "GIF89a not really"u8.ToArray()));

        var (unpairedStatus, unpairedProblem, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", unpaired);
        var (manyStatus, manyProblem, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", Form(("a", Black), ("b", White), ("c", LeftBright)));
        var (imageStatus, imageProblem, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", notAnImage);
        var (typeStatus, typeProblem, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", new StringContent("dark", Encoding.UTF8, "text/plain"));

        Assert.Equal((400, "label"), (unpairedStatus, unpairedProblem.GetProperty("field").GetString()));
        Assert.Equal((413, "image"), (manyStatus, manyProblem.GetProperty("field").GetString()));
        Assert.Equal((400, "image[1]"), (imageStatus, imageProblem.GetProperty("field").GetString()));
        Assert.Equal((415, "body"), (typeStatus, typeProblem.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task Queries_that_cannot_be_answered_are_refused_naming_the_field()
    {
        await using var server = await Serve();
        string id = await Create(server);

        var (unknown, unknownProblem, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions/0123/classify", Png(Black));
        var (otherModel, _, _) = await Send(server, HttpMethod.Post, $"/v1/models/affine/sessions/{id}/classify", Png(Black));
        var (top, topProblem, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify?top=0", Png(Black));
        var (garbage, garbageProblem, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Png("not a png"u8.ToArray()));
        var (base64, base64Problem, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Json("""{"image": "%%%"}"""));

        Assert.Equal((404, "id"), (unknown, unknownProblem.GetProperty("field").GetString()));
        Assert.Equal(404, otherModel);
        Assert.Equal((400, "top"), (top, topProblem.GetProperty("field").GetString()));
        Assert.Equal((400, "body"), (garbage, garbageProblem.GetProperty("field").GetString()));
        Assert.Equal((400, "image"), (base64, base64Problem.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task The_count_is_bounded_with_503_and_retry_after_until_a_session_is_deleted()
    {
        await using var server = await Serve(options => options.Sessions.MaxSessions = 2);
        string first = await Create(server);
        await Create(server);

        var (fullStatus, full, fullResponse) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", Form(("dark", Black)));
        await Send(server, HttpMethod.Delete, $"/v1/models/embed/sessions/{first}");
        var (againStatus, _, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", Form(("dark", Black)));

        Assert.Equal(503, fullStatus);
        Assert.Equal("1", fullResponse.Headers.RetryAfter?.ToString());
        Assert.Contains("2 few-shot sessions are alive", full.GetProperty("detail").GetString());
        Assert.Equal(201, againStatus);
    }

    [Fact]
    public async Task An_unused_session_expires_and_each_use_restarts_its_clock()
    {
        var time = new ManualTime();
        await using var server = await Serve(options => { options.Sessions.IdleTimeoutSeconds = 60; options.Sessions.MaxSessions = 2; }, time);
        string used = await Create(server);
        string unused = await Create(server);

        time.Advance(TimeSpan.FromSeconds(40));
        var (usedStatus, _, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{used}/classify", Png(Black));
        time.Advance(TimeSpan.FromSeconds(40));
        var (stillUsed, _, _) = await Send(server, HttpMethod.Get, $"/v1/models/embed/sessions/{used}");
        var (expired, _, _) = await Send(server, HttpMethod.Get, $"/v1/models/embed/sessions/{unused}");
        var (room, _, _) = await Send(server, HttpMethod.Post, "/v1/models/embed/sessions", Form(("dark", Black)));

        Assert.Equal(200, usedStatus);
        Assert.Equal(200, stillUsed);
        Assert.Equal(404, expired);
        Assert.Equal(201, room);
    }

    [Fact]
    public async Task A_session_made_before_a_hot_reload_answers_409_and_a_new_one_works()
    {
        await using var server = await Serve(reloadPollMilliseconds: 50);
        string id = await Create(server);
        server.Registry.TryGet("embed", out var before);

        server.Replace("embed", Server.Brightness());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (server.Registry.TryGet("embed", out var now) && ReferenceEquals(now, before) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        var (staleStatus, stale, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{id}/classify", Png(Black));
        string fresh = await Create(server);
        var (freshStatus, _, _) = await Send(server, HttpMethod.Post, $"/v1/models/embed/sessions/{fresh}/classify", Png(Black));

        Assert.Equal((409, "id"), (staleStatus, stale.GetProperty("field").GetString()));
        Assert.Equal(200, freshStatus);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
