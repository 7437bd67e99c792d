using System.Diagnostics;
using System.Globalization;

namespace SharpShot.Benchmarks;

/// <summary>
/// The same cases as the BenchmarkDotNet classes, timed with the two variants alternating call by call, so that a
/// burst of load from another process slows both alike: steadier ratios on a shared machine than BenchmarkDotNet's
/// one-case-after-another runs (which remain the reference for absolute times).
/// </summary>
internal static class Interleaved
{
    /// <summary>Times every case <paramref name="rounds"/> times per variant after one warm-up call each; prints medians, minima and their ratios.</summary>
    public static void Run(int rounds)
    {
        Console.WriteLine($"{"case",-32} {"baseline median",16} {"route median",13} {"ratio",6} {"ratio of minima",16}");
        foreach (int batch in new[] { 80, 120 })
        {
            foreach (ConvShape shape in ConvLayerBenchmarks.Shapes)
            {
                var layer = new ConvLayerBenchmarks { Batch = batch, Shape = shape };
                layer.Setup();
                Report($"conv {shape}, batch {batch}", rounds, layer.Native, layer.ChannelsLast);
                layer.Cleanup();
            }
        }

        foreach (int batch in new[] { 80, 120 })
        {
            var step = new Conv4StepBenchmarks { Batch = batch };
            step.Setup();
            Report($"conv-4 step, batch {batch}", rounds, step.RouteOff, step.RouteOn);
            step.Cleanup();
        }
    }

    private static void Report(string name, int rounds, Action baseline, Action route)
    {
        baseline();
        route();
        var first = new List<double>(rounds);
        var second = new List<double>(rounds);
        for (int i = 0; i < rounds; i++)
        {
            first.Add(Time(baseline));
            second.Add(Time(route));
        }

        double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-32} {Median(first),13:F1} ms {Median(second),10:F1} ms {Median(second) / Median(first),6:F2} {second.Min() / first.Min(),16:F2}"));
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }
}
