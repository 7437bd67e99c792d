using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SharpShot.Reliability;

/// <summary>
/// <c>kill-resume</c>: for each workload, an unbroken <c>train</c> run in a fresh process, then the same run with a
/// checkpoint, killed with SIGKILL at seeded random moments (<c>--kills</c> in all, shared among the workloads) and
/// started again after each kill until it completes; the final weights' SHA-256 must equal the unbroken run's.
/// </summary>
/// <remarks>
/// Kill moments are stratified: the k kills of a workload fall one in each of the first k of k + 1 equal stretches of its
/// steps (a seeded uniform point in each), plus a seeded delay of up to 40 ms after the child reports that step, so that
/// some land while a checkpoint is being written. The last stretch runs to the end unbroken.
/// </remarks>
internal static class KillResumeCommand
{
    private static readonly TimeSpan ChildLimit = TimeSpan.FromMinutes(10);

    /// <summary>Environment variables every training process gets.</summary>
    private static Dictionary<string, string>? s_environment;

    /// <summary>Runs the command; returns 0 when every workload ended identical to its unbroken run, 1 otherwise.</summary>
    public static int Run(Options options)
    {
        var kills = options.Int("kills", 24, min: 0, max: 1000);
        var seed = options.Int("seed", 1);
        var size = options.Text("size", "full");
        var workloads = options.Text("workloads", "supervised,protonet,maml")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Workload.Parse).ToArray();
        var oneDnn = options.Text("onednn", "off");
        if (oneDnn is not ("on" or "off"))
        {
            throw new UsageException($"--onednn must be on or off; got '{oneDnn}'.");
        }
        // With oneDNN on, each process's ConvolutionGuard decides anew, on random trials, whether a convolution runs on
        // oneDNN or in float64; oneDNN's errors come and go, so two processes can decide differently and compute
        // differently (seen in 2 of 16 runs here): "off" gives every process LibTorch's own kernels.
        s_environment = oneDnn == "off" ? new Dictionary<string, string> { ["SHARPSHOT_ONEDNN"] = "0" } : null;
        var work = options.TextOrNull("work") ?? Path.Combine(Path.GetTempPath(), $"sharpshot-kill-resume-{Environment.ProcessId}");
        options.EnsureAllRead();
        RunSize.Parse(size);
        if (workloads.Length == 0)
        {
            throw new UsageException("--workloads names no workload.");
        }

        Directory.CreateDirectory(work);
        var random = new Random(seed);
        var allIdentical = true;
        var survived = 0;
        for (var w = 0; w < workloads.Length; w++)
        {
            var workload = workloads[w];
            var share = kills / workloads.Length + (w < kills % workloads.Length ? 1 : 0);
            var outcome = RunWorkload(workload, size, share, random, work);
            survived += outcome.Kills;
            allIdentical &= outcome.Identical;
            Console.WriteLine(
                $"kill-resume {workload.Name}: kills survived {outcome.Kills}/{share}, restarts {outcome.Kills}, steps {outcome.Steps}, " +
                $"identical {(outcome.Identical ? "yes" : "no")} (unbroken {outcome.Unbroken[..16]}…, resumed {outcome.Resumed[..16]}…)");
        }
        Console.WriteLine($"kill-resume total: kills survived {survived}/{kills}, all identical {(allIdentical ? "yes" : "no")}");
        return allIdentical && survived == kills ? 0 : 1;
    }

    private sealed record Outcome(int Kills, int Steps, string Unbroken, string Resumed)
    {
        public bool Identical => Unbroken == Resumed;
    }

    private static Outcome RunWorkload(Workload workload, string size, int kills, Random random, string work)
    {
        var checkpoint = Path.Combine(work, $"{workload.Name}.ckpt");
        foreach (var stale in Directory.EnumerateFiles(work, $"{workload.Name}.ckpt*"))
        {
            File.Delete(stale);
        }

        var unbroken = RunChild(workload, size, checkpoint: null, killAt: null, random);
        if (unbroken.Hash is null)
        {
            throw new InvalidOperationException($"The unbroken {workload.Name} run ended without a hash.");
        }

        var total = unbroken.Total;
        var targets = Enumerable.Range(0, kills)
            .Select(i => Math.Max(1, (int)(total * (i + random.NextDouble()) / (kills + 1))))
            .ToArray();
        var done = 0;
        while (true)
        {
            int? target = done < kills ? targets[done] : null;
            var run = RunChild(workload, size, checkpoint, target, random);
            if (run.Hash is { } hash)
            {
                if (done < kills)
                {
                    Console.WriteLine($"  {workload.Name}: the run completed before kill {done + 1} (target step {target}); the kill was not made");
                }
                return new Outcome(done, total, unbroken.Hash, hash);
            }
            done++;
            Console.WriteLine($"  {workload.Name}: kill {done}/{kills} at step {run.LastStep} (target {target}, +{run.DelayMs} ms; this process started at step {run.FirstStep})");
        }
    }

    private sealed record ChildRun(int Total, int FirstStep, int LastStep, int DelayMs, string? Hash);

    /// <summary>Runs <c>train</c> in a fresh process; with <paramref name="killAt"/>, kills it with SIGKILL once it reports that step (plus a seeded delay).</summary>
    private static ChildRun RunChild(Workload workload, string size, string? checkpoint, int? killAt, Random random)
    {
        var arguments = new List<string> { "train", "--workload", workload.Name, "--size", size };
        if (checkpoint is not null)
        {
            arguments.AddRange(["--checkpoint", checkpoint]);
        }
        var delayMs = random.Next(0, 41);
        using var process = SelfProcess.Start(arguments, s_environment);
        var errors = new ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();

        int total = 0, first = -1, last = 0;
        string? hash = null;
        var clock = Stopwatch.StartNew();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (clock.Elapsed > ChildLimit)
            {
                process.Kill();
                throw new TimeoutException($"A {workload.Name} training process ran for more than {ChildLimit.TotalMinutes} minutes.");
            }
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (key, value) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
            switch (key)
            {
                case "total":
                    total = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "progress":
                    last = int.Parse(value, CultureInfo.InvariantCulture);
                    first = first < 0 ? last : first;
                    if (killAt is { } step && last >= step)
                    {
                        Thread.Sleep(delayMs);
                        process.Kill();
                        process.WaitForExit();
                        return new ChildRun(total, first, last, delayMs, Hash: null);
                    }
                    break;
                case "sha256":
                    hash = value;
                    break;
            }
        }
        process.WaitForExit();
        if (process.ExitCode != 0 || hash is null)
        {
            throw new InvalidOperationException(
                $"A {workload.Name} training process exited with code {process.ExitCode}{(hash is null ? " and no hash" : "")}:\n{string.Join("\n", errors.TakeLast(30))}");
        }
        return new ChildRun(total, first, last, delayMs, hash);
    }
}
