// A bounded loopback load test of SharpShot.Serving: the same model served with one call per request, then with
// dynamic batching; N clients x M requests each; throughput, p50/p99 and errors of both, and their ratio.
// With --hot-reload and/or --hostile, a third run (with batching) replaces the model file every 0.5 s and/or sends
// oversized, malformed and hostile requests alongside, and reports how each was answered and the peak memory.
// Usage: dotnet run --project benchmarks/ServeLoad -c Release -- --model PATH [--clients 64] [--requests 320]
//        [--max-batch 64] [--delay-us 2000] [--timeout-s 600] [--hot-reload] [--hostile]
using System.Globalization;
using ServeLoad;
using SharpShot.Serving;

string? model = null;
int clients = 64, requests = 320, maxBatch = 64, delay = 2000, timeoutSeconds = 600;
bool hotReload = false, hostile = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    int Int(string option) => int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"{option} needs a positive whole number.");
    switch (args[i])
    {
        case "--model": model = Next(); break;
        case "--clients": clients = Int("--clients"); break;
        case "--requests": requests = Int("--requests"); break;
        case "--max-batch": maxBatch = Int("--max-batch"); break;
        case "--delay-us": delay = Int("--delay-us"); break;
        case "--timeout-s": timeoutSeconds = Int("--timeout-s"); break;
        case "--hot-reload": hotReload = true; break;
        case "--hostile": hostile = true; break;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}'.");
            return 2;
    }
}

if (model is null || !File.Exists(model))
{
    Console.Error.WriteLine($"error: --model PATH (an existing .onnx file) is required{(model is null ? "" : $"; '{model}' does not exist")}.");
    return 2;
}

var timeout = TimeSpan.FromSeconds(timeoutSeconds);
Console.WriteLine($"{clients} clients x {requests} requests of one sample to {Path.GetFullPath(model)} on 127.0.0.1, {Environment.ProcessorCount} cores");
var batching = new BatchingOptions { MaxBatchSize = maxBatch, MaxQueueDelayMicroseconds = delay, MaxQueueSize = clients * 2 };
var plain = await LoopbackLoad.Run(model, null, clients, requests, timeout);
var batched = await LoopbackLoad.Run(model, batching, clients, requests, timeout);
var runs = new List<LoadResult> { plain, batched };
if (hotReload || hostile)
{
    runs.Add(await LoopbackLoad.Run(model, batching, clients, requests, timeout, new LoadDisturbances(hotReload, hostile)));
}

foreach (var r in runs)
{
    Console.WriteLine($"{r.Mode}: {r.Requests:N0} requests, {r.Errors} errors, {r.Seconds:F1} s, {r.RequestsPerSecond:N0} requests/s, p50 {r.P50Ms:F2} ms, p99 {r.P99Ms:F2} ms, mean batch {r.MeanBatch:F1}, " +
        $"memory {r.Memory.BaselineBytes / 1048576.0:N0} MiB after warm-up, peak {r.Memory.PeakBytes / 1048576.0:N0} MiB");
}

Console.WriteLine($"dynamic batching / one call per request: {batched.RequestsPerSecond / plain.RequestsPerSecond:F2}x throughput");
LoadResult? disturbed = runs.Count > 2 ? runs[^1] : null;
if (disturbed is { })
{
    if (hotReload)
    {
        Console.WriteLine($"hot reload: the file was replaced {disturbed.Reloads.Replacements} times, {disturbed.Reloads.Versions} versions served, {disturbed.Errors} failed requests");
    }

    foreach (var tally in disturbed.Hostile)
    {
        Console.WriteLine($"hostile: {tally}");
    }

    if (hostile)
    {
        Console.WriteLine($"hostile: {disturbed.HostileSent} sent, {disturbed.HostileUnexpected} answered otherwise than documented; the process stayed up");
    }
}

return runs.Sum(r => r.Errors) + (disturbed?.HostileUnexpected ?? 0) == 0 ? 0 : 1;
