using System.Collections.Concurrent;
using System.Diagnostics;

namespace SharpShot.Serving.Tests;

/// <summary>Replacing a model's file swaps the new version in under load without failing a request.</summary>
public class HotReloadTests
{
    private const string Request = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 1, 1]}]}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_replaced_file_is_served_without_a_failed_request(bool batching)
    {
        await using var server = await Server.Start(
            new Dictionary<string, byte[]?> { ["affine"] = Server.Affine(2f) },
            batching: batching ? new BatchingOptions { MaxBatchSize = 16, MaxQueueDelayMicroseconds = 1000 } : null,
            reloadPollMilliseconds: 50);
        var statuses = new ConcurrentBag<int>();
        var answers = new ConcurrentBag<float>();
        using var stop = new CancellationTokenSource();

        var clients = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, body) = await server.Post("/v2/models/affine/infer", Request);
                statuses.Add(status);
                if (status == 200)
                {
                    answers.Add(body.GetProperty("outputs")[0].GetProperty("data")[0].GetSingle());
                }
            }
        })).ToArray();
        // Replace the file only once the first version has answered (a cold start under load can take a while).
        var clock = Stopwatch.StartNew();
        while (!answers.Contains(3f) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        server.Replace("affine", Server.Affine(3f));
        clock.Restart();
        while (!answers.Contains(4f) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Contains(3f, answers);
        Assert.Contains(4f, answers);
        Assert.True(statuses.Count > 20, $"{statuses.Count} requests");
    }

    [Fact]
    public async Task A_replacement_that_does_not_load_leaves_the_running_version()
    {
        await using var server = await Server.Start(new Dictionary<string, byte[]?> { ["affine"] = Server.Affine(2f) }, reloadPollMilliseconds: 50);

        server.Replace("affine", "not a model"u8.ToArray());
        await Task.Delay(400);
        var (status, body) = await server.Post("/v2/models/affine/infer", Request);
        var (readyStatus, _) = await server.Get("/v2/health/ready");

        Assert.Equal(200, status);
        Assert.Equal(3f, body.GetProperty("outputs")[0].GetProperty("data")[0].GetSingle());
        Assert.Equal(200, readyStatus);
    }
}
