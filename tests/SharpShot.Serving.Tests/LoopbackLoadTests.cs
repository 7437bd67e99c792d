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
}
