using ServeLoad;

namespace SharpShot.Serving.Tests;

/// <summary>
/// A short version of <c>benchmarks/ServeLoad</c>: a real Kestrel server on 127.0.0.1, concurrent clients, with and
/// without dynamic batching; every request is answered correctly and the run stops by itself.
/// </summary>
public class LoopbackLoadTests
{
    [Fact]
    public async Task Concurrent_clients_over_loopback_get_every_answer_with_and_without_batching()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("affine.onnx", Server.Affine());

        var plain = await LoopbackLoad.Run(model, null, clients: 8, requests: 25, timeout: TimeSpan.FromSeconds(60));
        var batched = await LoopbackLoad.Run(model, new BatchingOptions { MaxBatchSize = 16, MaxQueueDelayMicroseconds = 2000 }, clients: 8, requests: 25, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal((200, 0), (plain.Requests, plain.Errors));
        Assert.Equal((200, 0), (batched.Requests, batched.Errors));
        Assert.True(batched.MeanBatch > 1, $"mean batch {batched.MeanBatch}");
    }

    [Fact]
    public async Task Under_load_hot_reloads_fail_no_request_and_hostile_requests_get_their_documented_status()
    {
        using var temp = new TempFolder();
        string model = temp.WriteBytes("shades.onnx", Server.DarkOrLight());

        var result = await LoopbackLoad.Run(model, new BatchingOptions { MaxBatchSize = 16, MaxQueueDelayMicroseconds = 2000 }, clients: 8, requests: 150,
            timeout: TimeSpan.FromSeconds(120), new LoadDisturbances(HotReload: true, Hostile: true) { ReloadEvery = TimeSpan.FromMilliseconds(100) });

        Assert.Equal((1200, 0), (result.Requests, result.Errors));
        Assert.True(result.Reloads.Replacements >= 2 && result.Reloads.Versions >= 2, $"{result.Reloads} during {result.Seconds:F1} s");
        Assert.True(result.HostileSent >= 8, $"{result.HostileSent} hostile requests");
        Assert.True(result.HostileUnexpected == 0, result.HostileReport);
    }
}
