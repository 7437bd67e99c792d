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

/// <summary>What one load run measured; the hot-reload and hostile figures when the run had them.</summary>
public sealed record LoadResult(string Mode, int Requests, int Errors, double Seconds, double RequestsPerSecond, double P50Ms, double P99Ms, double MeanBatch)
{
    /// <summary>Times the model file was replaced during the run, and distinct model versions that served it.</summary>
    public (int Replacements, int Versions) Reloads { get; init; }

    /// <summary>How each kind of hostile request was answered (empty when none were sent).</summary>
    internal IReadOnlyList<HostileTally> Hostile { get; init; } = [];

    /// <summary>Hostile requests answered otherwise than documented.</summary>
    public int HostileUnexpected => Hostile.Sum(h => h.Unexpected);

    /// <summary>Each kind of hostile request with the status expected and the outcomes, for messages.</summary>
    public string HostileReport => string.Join("; ", Hostile);

    /// <summary>Hostile requests sent.</summary>
    public int HostileSent => Hostile.Sum(h => h.Outcomes.Values.Sum());

    /// <summary>The process's resident memory after warm-up and its peak during the run (server and clients share the process).</summary>
    public (long BaselineBytes, long PeakBytes) Memory { get; init; }
}

/// <summary>What disturbs a load run: the model file replaced (atomically) every <see cref="ReloadEvery"/>, hostile requests sent alongside.</summary>
public sealed record LoadDisturbances(bool HotReload, bool Hostile)
{
    /// <summary>How often the model file is replaced (default half a second; the server checks it every 100 ms).</summary>
    public TimeSpan ReloadEvery { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// A bounded load test over loopback: a SharpShot service on 127.0.0.1 (Kestrel, a free port) serving one model,
/// <c>clients</c> concurrent clients each sending <c>requests</c> Open Inference Protocol requests of one sample, one
/// after another. It stops by itself when every request is answered (or after <c>timeout</c>).
/// </summary>
public static class LoopbackLoad
{
    public static async Task<LoadResult> Run(string modelPath, BatchingOptions? batching, int clients, int requests, TimeSpan timeout, LoadDisturbances? disturb = null)
    {
        disturb ??= new LoadDisturbances(HotReload: false, Hostile: false);
        // The model is served from a copy, which a hot-reload run replaces; the caller's file is never touched.
        DirectoryInfo folder = Directory.CreateTempSubdirectory("serveload-");
        try
        {
            string served = Path.Combine(folder.FullName, "m.onnx");
            File.Copy(modelPath, served);
            return await RunServed(served, batching, clients, requests, timeout, disturb);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<LoadResult> RunServed(string servedPath, BatchingOptions? batching, int clients, int requests, TimeSpan timeout, LoadDisturbances disturb)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSharpShot(options =>
        {
            options.Models.Add(new ServedModelOptions { Name = "m", Path = servedPath, Batching = batching });
            options.ReloadPollMilliseconds = disturb.HotReload ? 100 : 0;
        });
        await using var app = builder.Build();
        app.MapSharpShot();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var registry = app.Services.GetRequiredService<ModelRegistry>();
        if (!registry.TryGet("m", out OnnxModel model) || model.Inputs.Count != 1)
        {
            throw new InvalidOperationException($"The load test serves models with one input; the model did not load or has {model?.Inputs.Count} inputs.");
        }

        string json = RequestJson(model);
        byte[] body = Encoding.UTF8.GetBytes(json);
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
        using var loadDone = new CancellationTokenSource();
        long baseline = ResidentBytes();
        Task<long> peak = Task.Run(() => SamplePeak(loadDone.Token));
        Task<(int, int)> reloads = disturb.HotReload ? Task.Run(() => ReplaceRepeatedly(servedPath, registry, disturb.ReloadEvery, loadDone.Token)) : Task.FromResult((0, 1));
        HostileRequests? hostile = null;
        Task hostileRun = Task.CompletedTask;
        if (disturb.Hostile)
        {
            // Its own connections, so the load's clients never wait behind a 100 MB upload.
            var hostileClient = new HttpClient { BaseAddress = new Uri(address), Timeout = timeout };
            hostile = new HostileRequests(hostileClient, json, model.ImageInput is not null);
            hostileRun = Task.Run(async () =>
            {
                using (hostileClient)
                {
                    await hostile.RunUntil(loadDone.Token);
                }
            });
        }

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
        await loadDone.CancelAsync();
        await hostileRun;
        var sorted = latencies.Where(l => l > 0).Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        double meanBatch = registry.BatchingCounts("m") is { Batches: > 0 } counts ? (double)counts.Samples / counts.Batches : 1;
        await app.StopAsync();
        int total = clients * requests;
        string mode = (batching is null ? "one call per request" : $"dynamic batching (max {batching.MaxBatchSize}, {batching.MaxQueueDelayMicroseconds} µs)")
            + (disturb.HotReload ? $", hot reload every {disturb.ReloadEvery.TotalSeconds:0.##} s" : string.Empty) + (disturb.Hostile ? ", hostile requests alongside" : string.Empty);
        return new LoadResult(mode, total, errors + (total - sorted.Length), clock.Elapsed.TotalSeconds, sorted.Length / clock.Elapsed.TotalSeconds, Percentile(0.5), Percentile(0.99), meanBatch)
        {
            Reloads = await reloads,
            Hostile = hostile?.Tally ?? [],
            Memory = (baseline, Math.Max(baseline, await peak)),
        };
    }

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static async Task<long> SamplePeak(CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, ResidentBytes());
            await Task.Delay(20, CancellationToken.None);
        }

        return Math.Max(peak, ResidentBytes());
    }

    /// <summary>Replaces the served file the safe way (written beside it, renamed over it) every <paramref name="every"/>; counts the versions that served.</summary>
    private static async Task<(int Replacements, int Versions)> ReplaceRepeatedly(string servedPath, ModelRegistry registry, TimeSpan every, CancellationToken stop)
    {
        byte[] bytes = await File.ReadAllBytesAsync(servedPath, CancellationToken.None);
        int replacements = 0;
        var versions = new HashSet<OnnxModel>(ReferenceEqualityComparer.Instance);
        var next = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            if (registry.TryGet("m", out OnnxModel current))
            {
                versions.Add(current);
            }

            if (next.Elapsed >= every)
            {
                string temporary = servedPath + ".new";
                await File.WriteAllBytesAsync(temporary, bytes, CancellationToken.None);
                File.Move(temporary, servedPath, overwrite: true);
                replacements++;
                next.Restart();
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return (replacements, versions.Count);
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
