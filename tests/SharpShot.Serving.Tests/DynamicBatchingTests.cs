using System.Globalization;
using System.Text.Json;

namespace SharpShot.Serving.Tests;

/// <summary>Concurrent requests are coalesced into one call, and each gets its own rows back.</summary>
public class DynamicBatchingTests
{
    private static string Request(int rows, int seed, string? output = null)
    {
        var values = Enumerable.Range(0, rows * 3).Select(i => ((seed * 7) + i) % 11 - 5).ToArray();
        string outputs = output is null ? string.Empty : $", \"outputs\": [{{\"name\": \"{output}\"}}]";
        return $"{{\"id\": \"{seed}\", \"inputs\": [{{\"name\": \"x\", \"shape\": [{rows}, 3], \"datatype\": \"FP32\", \"data\": [{string.Join(", ", values)}]}}]{outputs}}}";
    }

    private static float[] Expected(int rows, int seed) =>
        Enumerable.Range(0, rows * 3).Select(i => (float)(((((seed * 7) + i) % 11) - 5) * 2 + 1)).ToArray();

    [Fact]
    public async Task Concurrent_requests_run_in_fewer_calls_and_each_gets_its_own_answer()
    {
        await using var server = await Server.Start(
            new Dictionary<string, byte[]?> { ["affine"] = Server.Affine() },
            batching: new BatchingOptions { MaxBatchSize = 64, MaxQueueDelayMicroseconds = 20_000 });

        var calls = Enumerable.Range(0, 40).Select(async i =>
        {
            int rows = 1 + (i % 3);
            var (status, body) = await server.Post("/v2/models/affine/infer", Request(rows, i, i % 4 == 0 ? "y" : null));
            return (i, rows, status, body);
        }).ToArray();
        var results = await Task.WhenAll(calls);

        foreach (var (i, rows, status, body) in results)
        {
            Assert.True(status == 200, body.ToString());
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), body.GetProperty("id").GetString());
            var y = body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "y");
            Assert.Equal([(long)rows, 3L], y.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(Expected(rows, i), y.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
            Assert.Equal(i % 4 == 0 ? 1 : 2, body.GetProperty("outputs").GetArrayLength());
        }

        var (batches, samples) = server.Registry.BatchingCounts("affine")!.Value;
        Assert.Equal(results.Sum(r => r.rows), samples);
        Assert.True(batches < 40, $"{batches} calls for 40 requests");
    }

    [Fact]
    public async Task A_bad_request_in_a_batch_fails_alone()
    {
        await using var server = await Server.Start(
            new Dictionary<string, byte[]?> { ["affine"] = Server.Affine() },
            batching: new BatchingOptions { MaxBatchSize = 64, MaxQueueDelayMicroseconds = 20_000 });

        var good = Enumerable.Range(0, 8).Select(i => server.Post("/v2/models/affine/infer", Request(1, i))).ToList();
        var bad = server.Post("/v2/models/affine/infer",
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}");
        var goodResults = await Task.WhenAll(good);
        var (badStatus, badBody) = await bad;

        Assert.All(goodResults, g => Assert.Equal(200, g.Status));
        Assert.Equal(400, badStatus);
        Assert.Contains("fixed at 3", badBody.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_at_once()
    {
        await using var server = await Server.Start(
            new Dictionary<string, byte[]?> { ["affine"] = Server.Affine() },
            batching: new BatchingOptions { MaxBatchSize = 64, MaxQueueDelayMicroseconds = 3_000_000, MaxQueueSize = 2 });

        var first = server.Client.PostAsync("/v2/models/affine/infer", Content(Request(1, 1)));
        var second = server.Client.PostAsync("/v2/models/affine/infer", Content(Request(1, 2)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (server.Registry.InFlight("affine") < 2 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5);
        }

        using var third = await server.Client.PostAsync("/v2/models/affine/infer", Content(Request(1, 3)));

        Assert.Equal(503, (int)third.StatusCode);
        Assert.Equal("1", third.Headers.RetryAfter?.ToString());
        Assert.Contains("2 requests are waiting", JsonDocument.Parse(await third.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(200, (int)(await first).StatusCode);
        Assert.Equal(200, (int)(await second).StatusCode);
    }

    private static StringContent Content(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
