using System.Globalization;

namespace SharpShot.Fuzz.Tests;

/// <summary>
/// The long fuzzing run (tests/Fuzz/run.sh runs it once per format, each in its own process):
/// <c>--format F --seconds N [--seed S] [--save DIR]</c> prints one line of figures and saves each finding's input under
/// DIR/F/; <c>--list</c> prints the format names. Exit code 0 when nothing was found, 1 on a finding, 2 on a usage error.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        string? format = null, save = null, replay = null;
        double seconds = 60;
        ulong seed = (ulong)DateTime.UtcNow.Ticks;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--list":
                    Console.WriteLine(string.Join('\n', Formats.All.Select(f => f.Name)));
                    return 0;
                case "--format":
                    format = Value();
                    break;
                case "--seconds":
                    seconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = ulong.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--save":
                    save = Value();
                    break;
                case "--replay":
                    replay = Value();
                    break;
                default:
                    Console.Error.WriteLine($"error: unknown argument '{args[i]}'; expected --format F --seconds N [--seed S] [--save DIR], --format F --replay FILE, or --list.");
                    return 2;
            }
        }

        if (format is null)
        {
            Console.Error.WriteLine("error: --format is required (--list names them).");
            return 2;
        }

        FuzzFormat chosen = Formats.Named(format);
        if (replay is not null)
        {
            // One input, read once, its outcome printed in full (a native crash ends the process here, under a debugger if one is attached).
            using var single = new FuzzRunner(chosen);
            var outcome = new FuzzReport { Format = chosen.Name };
            single.Judge(File.ReadAllBytes(replay), outcome);
            Console.WriteLine(outcome.Findings.Count == 0 ? $"{replay}: ok or a documented exception" : string.Join('\n', outcome.Findings.Select(f => $"{f.Kind}: {f.Detail}")));
            return outcome.Findings.Count == 0 ? 0 : 1;
        }

        using var runner = new FuzzRunner(chosen);
        // With --save, the input being read is kept in DIR/F/in-flight.bin, so that run.sh can keep the one that crashed the process.
        string? inFlight = save is null ? null : Path.Combine(Directory.CreateDirectory(Path.Combine(save, chosen.Name)).FullName, "in-flight.bin");
        FuzzReport report = runner.Run(seed, count: null, TimeSpan.FromSeconds(seconds), inFlight);
        Console.WriteLine($"{report}  seed {seed}  threads 1 reader (+1 memory sampler), {Environment.ProcessorCount} cores");
        foreach (Finding finding in report.Findings.Take(5))
        {
            Console.WriteLine($"  {finding.Kind}: {finding.Detail.Split('\n')[0]}");
        }

        if (save is not null && report.Findings.Count > 0)
        {
            foreach (string path in FuzzRunner.Save(report.Findings.DistinctBy(f => f.Kind + f.Detail.Split('\n')[0]).Take(20), Path.Combine(save, chosen.Name)))
            {
                Console.WriteLine($"  saved {path}");
            }
        }

        return report.Findings.Count == 0 ? 0 : 1;
    }
}
