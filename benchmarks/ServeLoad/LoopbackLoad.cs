using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharpShot.Inference;
using SharpShot.Serving;

namespace ServeLoad;

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(string Mode, int Requests, int Errors, double Seconds, double RequestsPerSecond, double P50Ms, double P99Ms, double MeanBatch);

/// <summary>
/// A bounded load test over loopback: a SharpShot service on 127.0.0.1 (Kestrel, a free port) serving one model,
/// <c>clients</c> concurrent clients each sending <c>requests</c> Open Inference Protocol requests of one sample, one
/// after another. It stops by itself when every request is answered (or after <c>timeout</c>).
/// </summary>
internal static class LoopbackLoad
{
    public static async Task<LoadResult> Run(string modelPath, BatchingOptions? batching, int clients, int requests, TimeSpan timeout)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSharpShot(options => options.Models.Add(new ServedModelOptions { Name = "m", Path = modelPath, Batching = batching }));
        await using var app = builder.Build();
        app.MapSharpShot();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var registry = app.Services.GetRequiredService<ModelRegistry>();
        if (!registry.TryGet("m", out OnnxModel model) || model.Inputs.Count != 1)
        {
            throw new InvalidOperationException($"The load test serves models with one input; '{modelPath}' did not load or has {model?.Inputs.Count} inputs.");
        }

        byte[] body = Encoding.UTF8.GetBytes(RequestJson(model));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(address), Timeout = timeout };
        using var cancel = new CancellationTokenSource(timeout);

        // Warm-up: a few requests so the first JIT and session runs are not measured.
        for (int i = 0; i < 5; i++)
        {
            using var warm = await client.PostAsync("/v2/models/m/infer", Content(body));
        }

        var latencies = new double[clients * requests];
        int errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (int r = 0; r < requests && !cancel.IsCancellationRequested; r++)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.PostAsync("/v2/models/m/infer", Content(body), cancel.Token);
                    await response.Content.ReadAsByteArrayAsync(cancel.Token);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies[(c * requests) + r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        clock.Stop();
        var sorted = latencies.Where(l => l > 0).Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        double meanBatch = registry.BatchingCounts("m") is { Batches: > 0 } counts ? (double)counts.Samples / counts.Batches : 1;
        await app.StopAsync();
        int total = clients * requests;
        return new LoadResult(batching is null ? "one call per request" : $"dynamic batching (max {batching.MaxBatchSize}, {batching.MaxQueueDelayMicroseconds} µs)",
            total, errors + (total - sorted.Length), clock.Elapsed.TotalSeconds, sorted.Length / clock.Elapsed.TotalSeconds, Percentile(0.5), Percentile(0.99), meanBatch);
    }

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>One sample of the model's input: its fixed axes, 1 for the open ones, pixel-like values.</summary>
    private static string RequestJson(OnnxModel model)
    {
        var input = model.Inputs[0];
        long[] shape = input.Shape.Select((d, i) => d.Value ?? 1).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var random = new Random(1);
        string data = string.Join(",", Enumerable.Range(0, (int)count).Select(_ => random.Next(256).ToString(CultureInfo.InvariantCulture)));
        string datatype = input.ElementType switch
        {
            SharpShot.Onnx.OnnxElementType.Float => "FP32",
            SharpShot.Onnx.OnnxElementType.Double => "FP64",
            SharpShot.Onnx.OnnxElementType.Int64 => "INT64",
            _ => throw new InvalidOperationException($"The load test sends FP32, FP64 or INT64 inputs; this model takes {input.ElementType}."),
        };
        return $"{{\"inputs\": [{{\"name\": \"{input.Name}\", \"shape\": [{string.Join(",", shape)}], \"datatype\": \"{datatype}\", \"data\": [{data}]}}]}}";
    }
}
