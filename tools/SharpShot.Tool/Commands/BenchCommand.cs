using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpShot.Inference;
using Spectre.Console;

namespace SharpShot.Tool;

/// <summary>
/// <c>sharpshot bench MODEL</c>: latency percentiles and throughput per batch size for any model, with inputs
/// generated from its signature. Warm-up runs come first and are not counted.
/// </summary>
internal static class BenchCommand
{
    private const int MaxRunsPerBatch = 1_000_000;

    public static Command Create(ToolContext context)
    {
        var model = Common.ModelArgument();
        var batches = new Option<int[]>("--batch")
        {
            Description = "Batch sizes, comma-separated (default 1,32,256; a model whose first axis is fixed runs at that size only).",
            CustomParser = ParseBatches,
            DefaultValueFactory = _ => [1, 32, 256],
        };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads (default: ONNX Runtime's choice, one per core)." };
        Common.Require(threads, v => v >= 1, "--threads must be at least 1.");
        var seconds = new Option<double>("--seconds") { Description = "Measured time per batch size, in seconds (default 3).", DefaultValueFactory = _ => 3 };
        Common.Require(seconds, v => v is > 0 and <= 600, "--seconds must be above 0 and at most 600.");
        var warmup = new Option<double>("--warmup") { Description = "Warm-up time per batch size, in seconds (default 1; at least one run).", DefaultValueFactory = _ => 1 };
        Common.Require(warmup, v => v is >= 0 and <= 60, "--warmup must be between 0 and 60.");
        var shapes = new Option<string[]>("--shape")
        {
            Description = "A whole input shape, name=d0,d1,... (repeatable); needed for open axes after the first. An open first axis takes each batch size.",
            DefaultValueFactory = _ => [],
        };
        var provider = Common.ProviderOption();
        var json = Common.JsonOption();
        var command = new Command("bench", "Latency (p50, p90, p99) and throughput per batch size, inputs generated from the model's signature.")
        {
            model, batches, threads, seconds, warmup, shapes, provider, json,
        };
        command.SetAction(parsed => Run(context, new Settings(
            parsed.GetValue(model)!, parsed.GetValue(batches)!, parsed.GetResult(batches) is { Implicit: false }, parsed.GetValue(threads),
            parsed.GetValue(seconds), parsed.GetValue(warmup), InputGenerator.ParseShapes(parsed.GetValue(shapes)!), parsed.GetValue(provider)!, parsed.GetValue(json))));
        return command;
    }

    private sealed record Settings(
        string Model, int[] Batches, bool BatchesGiven, int? Threads, double Seconds, double Warmup, Dictionary<string, long[]> Shapes, string Provider, bool Json);

    private sealed record Result(int Batch, int Runs, double P50, double P90, double P99, double SamplesPerSecond);

    private static int[] ParseBatches(ArgumentResult result)
    {
        string text = string.Join(",", result.Tokens.Select(t => t.Value));
        var sizes = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < 1 || size > 65536)
            {
                result.AddError($"--batch '{text}': '{part}' is not a batch size from 1 to 65536.");
                return [];
            }

            sizes.Add(size);
        }

        if (sizes.Count == 0)
        {
            result.AddError("--batch needs at least one size, e.g. --batch 1,32,256.");
        }

        return sizes.Distinct().ToArray();
    }

    private static int Run(ToolContext context, Settings settings)
    {
        using OnnxModel model = Common.LoadModel(settings.Model, settings.Provider, settings.Threads);
        bool batched = InputGenerator.IsBatched(model.Inputs.ToArray());
        if (!batched && settings.BatchesGiven)
        {
            throw new UsageException($"The model's inputs have a fixed (or no) first axis, so --batch cannot change it: {string.Join("; ", model.Inputs)}.");
        }

        // The float API's IO-binding path is what an app calling Predict gets; other models go through Run.
        bool floatPath = model.SupportsFloatApi && settings.Shapes.Count == 0 && batched;
        int[] sizes = batched ? settings.Batches : [model.Inputs.Count > 0 && model.Inputs[0].Shape.Count > 0 && model.Inputs[0].Shape[0].Value is { } fixedSize ? (int)fixedSize : 1];
        if (!settings.Json)
        {
            context.Console.WriteLine(Common.ProviderLine(model));
            context.Console.WriteLine(floatPath ? "path: float API (Predict/PredictBatch, IO binding)" : "path: general tensor API (Run)");
        }

        var results = new List<Result>();
        foreach (int batch in sizes)
        {
            Action run = floatPath ? FloatRun(model, batch) : GeneralRun(model, settings.Shapes, batched ? batch : 1);
            results.Add(Measure(run, batch, settings.Seconds, settings.Warmup));
        }

        if (settings.Json)
        {
            var document = new JsonObject
            {
                ["model"] = Path.GetFullPath(settings.Model),
                ["provider"] = model.ExecutionProvider.ToString(),
                ["provider_note"] = model.ExecutionProviderNote,
                ["path"] = floatPath ? "float" : "general",
                ["threads"] = settings.Threads,
                ["results"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                {
                    ["batch"] = r.Batch,
                    ["runs"] = r.Runs,
                    ["p50_ms"] = Math.Round(r.P50, 4),
                    ["p90_ms"] = Math.Round(r.P90, 4),
                    ["p99_ms"] = Math.Round(r.P99, 4),
                    ["samples_per_s"] = Math.Round(r.SamplesPerSecond, 1),
                }).ToArray()),
            };
            context.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Cli.Success;
        }

        var table = new Table().AddColumns("batch", "runs", "p50 ms", "p90 ms", "p99 ms", "samples/s");
        foreach (Result r in results)
        {
            table.AddRow(r.Batch.ToString(CultureInfo.InvariantCulture), r.Runs.ToString("N0", CultureInfo.InvariantCulture),
                Common.Number(r.P50, "0.000"), Common.Number(r.P90, "0.000"), Common.Number(r.P99, "0.000"), r.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture));
        }

        context.Console.Write(table);
        return Cli.Success;
    }

    private static Action FloatRun(OnnxModel model, int batch)
    {
        var random = new Random(1);
        var input = new float[checked(batch * model.InputLength)];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var output = new float[checked(batch * model.OutputLength)];
        return () => model.PredictBatch(input, batch, output);
    }

    private static Action GeneralRun(OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, int batch)
    {
        var inputs = InputGenerator.Create(model.Inputs.ToArray(), shapes, batch);
        return () => model.Run(inputs);
    }

    private static Result Measure(Action run, int batch, double seconds, double warmupSeconds)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            run();
        }
        while (clock.Elapsed.TotalSeconds < warmupSeconds);

        var latencies = new List<double>();
        var total = Stopwatch.StartNew();
        while (latencies.Count < MaxRunsPerBatch && (latencies.Count == 0 || total.Elapsed.TotalSeconds < seconds))
        {
            long start = Stopwatch.GetTimestamp();
            run();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        total.Stop();
        latencies.Sort();
        double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Count) - 1, 0, latencies.Count - 1)];
        return new Result(batch, latencies.Count, Percentile(0.5), Percentile(0.9), Percentile(0.99), batch * latencies.Count / total.Elapsed.TotalSeconds);
    }
}
