using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpShot.FewShot;
using SharpShot.Inference;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>
/// Old-versus-new timing of the adaptive graphs (the <see cref="AdaptiveBenchmarks"/> task) in one process, blocks of
/// calls interleaved, so that a shared machine's load falls on both sides alike: BenchmarkDotNet runs its cases one after
/// another, which on a busy 2-core machine can move a ratio by more than the change being measured. The baseline graphs
/// are files exported earlier (<c>--adaptive-export</c>) by the build being compared against. Also a per-operator
/// profile (ONNX Runtime's own profiler), to see where a graph's time goes.
/// </summary>
internal static class AdaptiveComparison
{
    private static readonly int[] Steps = [1, 5];

    /// <summary>Timed calls per block of one side in <see cref="Compare"/>, after <see cref="WarmUpCalls"/> untimed ones.</summary>
    private const int BlockCalls = 25;

    private const int WarmUpCalls = 5;

    /// <summary>Handles the comparison's command lines; false when <paramref name="args"/> is not one of them.</summary>
    public static bool TryRun(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "--adaptive-export" when args.Length == 2:
                Directory.CreateDirectory(args[1]);
                foreach (int steps in Steps)
                {
                    Console.WriteLine(Export(Path.Combine(args[1], $"conv4-adaptive-{steps}.onnx"), steps));
                }

                return true;
            case "--adaptive-compare" when args.Length is 2 or 3:
                Compare(args[1], args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
                return true;
            case "--adaptive-profile" when args.Length == 2:
                Profile(args[1]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The benchmark's learner (MAML conv-4, 5-way 1-shot) exported with <paramref name="steps"/> inner steps.</summary>
    private static string Export(string path, int steps)
    {
        using var model = new Conv4Learner();
        using var learner = new MetaLearner(model, new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Ways = 5, Shots = 1, Queries = 15, InnerLearningRate = 0.4 });
        learner.ExportAdaptiveOnnx(path, steps);
        return path;
    }

    private static void Compare(string baselineFolder, int rounds)
    {
        string folder = Directory.CreateTempSubdirectory("sharpshot-adaptive-compare").FullName;
        float[] support = Exported.Pixels(5 * 784, seed: 4).Select(v => v * 255).ToArray();
        float[] queries = Exported.Pixels(15 * 784, seed: 5).Select(v => v * 255).ToArray();
        int blocks = Math.Max(1, rounds / BlockCalls);
        Console.WriteLine($"{blocks * BlockCalls} calls per side in alternating blocks of {BlockCalls}, one session loaded at a time, median ms ({Environment.ProcessorCount} cores)");
        foreach (int steps in Steps)
        {
            string[] paths = [Path.Combine(baselineFolder, $"conv4-adaptive-{steps}.onnx"), Export(Path.Combine(folder, $"conv4-adaptive-{steps}.onnx"), steps)];
            var times = new[] { new List<double>(), new List<double>() };

            // Blocks of calls, sides alternating, each block on a session of its own, loaded for it: two live sessions
            // each keep intra-op threads that spin for a while after a call, so a call next to the other session's ran
            // against them (both sides then measured up to twice as slow as BenchmarkDotNet, which runs one at a time).
            for (int block = 0; block < 2 * blocks; block++)
            {
                int side = block % 2;
                using AdaptiveClassifier classifier = AdaptiveClassifier.Load(paths[side]);
                classifier.Fit(support, ["a", "b", "c", "d", "e"]);
                for (int i = 0; i < WarmUpCalls; i++)
                {
                    classifier.PredictProbabilities(queries);
                }

                for (int i = 0; i < BlockCalls; i++)
                {
                    times[side].Add(Time(classifier, queries));
                }
            }

            double medianOld = Median(times[0]), medianNew = Median(times[1]);
            Console.WriteLine($"{steps} step(s): old {medianOld:F2} ms, new {medianNew:F2} ms, new/old {medianNew / medianOld:F3}");
        }
    }

    private static double Time(AdaptiveClassifier classifier, float[] queries)
    {
        long start = Stopwatch.GetTimestamp();
        classifier.PredictProbabilities(queries);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(IReadOnlyCollection<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Runs <paramref name="path"/> 100 times under ONNX Runtime's profiler and prints the time per operator type and the slowest nodes.</summary>
    private static void Profile(string path)
    {
        using var options = new SessionOptions();
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "sharpshot-adaptive-profile");
        using var session = new InferenceSession(path, options);
        var support = new DenseTensor<float>(Exported.Pixels(5 * 784, seed: 4).Select(v => v * 255).ToArray(), [5, 1, 28, 28]);
        var labels = new DenseTensor<long>(new long[] { 0, 1, 2, 3, 4 }, [5]);
        var queries = new DenseTensor<float>(Exported.Pixels(15 * 784, seed: 5).Select(v => v * 255).ToArray(), [15, 1, 28, 28]);
        NamedOnnxValue[] inputs = [NamedOnnxValue.CreateFromTensor("support_x", support), NamedOnnxValue.CreateFromTensor("support_y", labels), NamedOnnxValue.CreateFromTensor("query_x", queries)];
        const int runs = 100;
        for (int i = 0; i < runs; i++)
        {
            using var _ = session.Run(inputs);
        }

        string file = session.EndProfiling();
        using JsonDocument profile = JsonDocument.Parse(File.ReadAllText(file));
        var byOp = new Dictionary<string, (double Us, int Count)>();
        var byNode = new Dictionary<string, double>();
        foreach (JsonElement e in profile.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }

            string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            double us = e.GetProperty("dur").GetDouble();
            var (sum, count) = byOp.GetValueOrDefault(op);
            byOp[op] = (sum + us, count + 1);
            JsonElement args = e.GetProperty("args");
            string node = $"{op} {args.GetProperty("input_type_shape")} -> {args.GetProperty("output_type_shape")}".Replace("\"float\":", "", StringComparison.Ordinal);
            byNode[node] = byNode.GetValueOrDefault(node) + us;
        }

        double total = byOp.Values.Sum(v => v.Us) / runs;
        Console.WriteLine($"{path}: {total / 1000:F2} ms of kernels per run, {byOp.Values.Sum(v => v.Count) / runs} nodes");
        foreach (var (op, (us, count)) in byOp.OrderByDescending(p => p.Value.Us))
        {
            Console.WriteLine($"  {op,-24} {us / runs / 1000,7:F3} ms  {count / runs,4} nodes");
        }

        Console.WriteLine("  slowest nodes:");
        foreach (var (node, us) in byNode.OrderByDescending(p => p.Value).Take(25))
        {
            Console.WriteLine($"    {node,-140} {us / runs / 1000,7:F3} ms");
        }

        File.Delete(file);
    }
}
