using System.Diagnostics;
using System.Reflection;

namespace SharpShot.Tests.Reliability;

/// <summary>
/// The short versions of tools/reliability/kill-resume.sh and memory.sh: the reliability program runs as a child process
/// (a kill must end a whole process, and resident memory is a process's), and its exit code and summary lines are checked.
/// </summary>
public class ReliabilityProgramTests
{
    private static readonly string Program = typeof(ReliabilityProgramTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SharpShot.ReliabilityProgram").Value!;

    [Fact]
    public void Supervised_and_maml_runs_killed_twice_each_end_with_the_unbroken_runs_weights()
    {
        using var temp = new TempFolder();
        var (exit, output) = Run(TimeSpan.FromMinutes(3),
            "kill-resume", "--kills", "4", "--size", "tiny", "--workloads", "supervised,maml", "--seed", "3", "--work", temp.Path);

        Assert.True(exit == 0, output);
        Assert.Contains("kill-resume supervised: kills survived 2/2", output);
        Assert.Contains("kill-resume maml: kills survived 2/2", output);
        Assert.DoesNotContain("identical no", output);
        Assert.Contains("kill-resume total: kills survived 4/4, all identical yes", output);
    }

    [Theory]
    [InlineData("supervised")]
    [InlineData("onnx")]
    public void Resident_memory_stays_flat_from_1000_to_3000_steps(string target)
    {
        // Warm-up first: supervised training's RSS still climbs up to about step 1,000 (191 → 221 MiB from 200 to 1,000 on a
        // busy machine, +15%), then holds (+1.4% from 1,000 to 3,000).
        var (exit, output) = Run(TimeSpan.FromMinutes(2), "memory", "--target", target, "--steps", "3000", "--first", "1000", "--limit", "10", "--samples", "3");

        Assert.True(exit == 0, output);
        Assert.Contains($"memory {target}: rss", output);
        Assert.Contains(": flat;", output);
    }

    [Fact]
    public void A_bad_command_line_exits_with_2_and_says_why()
    {
        var (exit, output) = Run(TimeSpan.FromMinutes(1), "memory", "--target", "nonsense");

        Assert.Equal(2, exit);
        Assert.Contains("Unknown workload 'nonsense'", output);
    }

    /// <summary>Runs the program with <c>dotnet</c>; returns its exit code and its standard output and error.</summary>
    private static (int Exit, string Output) Run(TimeSpan limit, params string[] arguments)
    {
        Assert.True(File.Exists(Program), $"The reliability program was not built: {Program}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The reliability program ran longer than {limit}: {string.Join(' ', arguments)}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
