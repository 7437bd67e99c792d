using System.Diagnostics;
using System.Security.Cryptography;
using CsCheck;

namespace SharpShot.Fuzz.Tests;

/// <summary>One finding: an input that ended in an untyped exception, took too long, or grew memory too much.</summary>
internal sealed record Finding(string Kind, byte[] Input, string Detail);

/// <summary>What a run of one format did.</summary>
internal sealed class FuzzReport
{
    public required string Format { get; init; }
    public long Inputs { get; set; }
    public long Succeeded { get; set; }
    public long Typed { get; set; }
    public long Untyped { get; set; }
    public long Hangs { get; set; }
    public long OverMemory { get; set; }
    public long PeakGrowthBytes { get; set; }
    public long MaxAllocatedBytes { get; set; }
    public double Seconds { get; set; }
    public List<Finding> Findings { get; } = [];

    /// <summary>One line of figures.</summary>
    public override string ToString() =>
        $"{Format,-7} inputs {Inputs,8}  ok {Succeeded,7}  typed {Typed,8}  untyped {Untyped}  hangs>1s {Hangs}  over+256MB {OverMemory}  "
        + $"peak RSS growth {PeakGrowthBytes / (1 << 20),4} MB  max allocated/input {MaxAllocatedBytes / (1 << 20),4} MB  {Seconds,6:F1} s  {(Inputs / Math.Max(Seconds, 1e-9)),7:F0}/s";
}

/// <summary>
/// Reads inputs one at a time on a worker, each within a time bound (1 s) and a memory bound (+256 MB: bytes the
/// process allocated while reading it, and its resident memory above what it was before), and sorts the outcomes:
/// success, a documented typed exception, or a finding.
/// </summary>
internal sealed class FuzzRunner : IDisposable
{
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(1);
    public const long MemoryBound = 256L << 20;

    // An input still running after this is abandoned and the run stops: its thread cannot be taken back.
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(30);

    private readonly FuzzFormat _format;
    private readonly string _work;
    private readonly Thread _sampler;
    private long _peakRss;
    private long _baseline = Environment.WorkingSet;
    private volatile bool _stopping;

    public FuzzRunner(FuzzFormat format)
    {
        _format = format;
        _work = Path.Combine(Path.GetTempPath(), "sharpshot-fuzz-" + format.Name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        _sampler = new Thread(Sample) { IsBackground = true, Name = "fuzz memory sampler" };
        _sampler.Start();
    }

    /// <summary>
    /// Reads inputs drawn from the format's seeds by a CsCheck PCG of <paramref name="seed"/> until <paramref name="count"/>
    /// inputs or <paramref name="duration"/> (whichever comes first; null for no bound), after reading every seed as it is.
    /// </summary>
    /// <param name="seed">The PCG seed.</param>
    /// <param name="count">Inputs to read at most; null for no bound.</param>
    /// <param name="duration">Time to run at most; null for no bound.</param>
    /// <param name="inFlight">
    /// Where each input is written before it is read (deleted at the end): a native crash kills the process before any
    /// finding is saved, and this file then holds the input that crashed it.
    /// </param>
    public FuzzReport Run(ulong seed, long? count, TimeSpan? duration, string? inFlight = null)
    {
        var report = new FuzzReport { Format = _format.Name };
        IReadOnlyList<byte[]> seeds = _format.Seeds();
        var mutator = new Mutator(seeds, _format.Repair);
        var pcg = new PCG(1, seed);
        foreach (byte[] valid in seeds)
        {
            // The seeds must read: a fuzzer whose seeds fail finds nothing past the first check.
            Outcome outcome = Execute(valid);
            if (outcome.Error is not null)
            {
                throw new InvalidOperationException($"A {_format.Name} seed does not read: {outcome.Error}", outcome.Error);
            }
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        _baseline = Environment.WorkingSet;
        var clock = Stopwatch.StartNew();
        while ((count is null || report.Inputs < count) && (duration is null || clock.Elapsed < duration))
        {
            byte[] input = mutator.Next(pcg);
            report.Inputs++;
            if (inFlight is not null)
            {
                File.WriteAllBytes(inFlight, input);
            }

            if (!Judge(input, report))
            {
                break;
            }

            if (report.Inputs % 2000 == 0)
            {
                GC.Collect();
            }
        }

        report.Seconds = clock.Elapsed.TotalSeconds;
        if (inFlight is not null)
        {
            File.Delete(inFlight);
        }

        return report;
    }

    /// <summary>Reads one input and records its outcome; false when the run must stop (an input that never ended).</summary>
    public bool Judge(byte[] input, FuzzReport report)
    {
        Outcome outcome = Execute(input);
        if (outcome.Unfinished)
        {
            report.Hangs++;
            report.Findings.Add(new("hang", input, $"still running after {GiveUp.TotalSeconds} s; the run stops here"));
            return false;
        }

        if (outcome.Elapsed > TimeBound)
        {
            // A slow machine or a collection can stall one input: it is a hang only if it is slow again alone.
            outcome = Execute(input);
            if (outcome.Elapsed > TimeBound)
            {
                report.Hangs++;
                report.Findings.Add(new("hang", input, $"took {outcome.Elapsed.TotalMilliseconds:F0} ms twice (bound {TimeBound.TotalMilliseconds} ms)"));
            }
        }

        report.MaxAllocatedBytes = Math.Max(report.MaxAllocatedBytes, outcome.Allocated);
        report.PeakGrowthBytes = Math.Max(report.PeakGrowthBytes, outcome.PeakRss - _baseline);
        if (outcome.Allocated > MemoryBound || outcome.RssGrowth > MemoryBound)
        {
            report.OverMemory++;
            report.Findings.Add(new("memory", input, $"allocated {outcome.Allocated:N0} bytes, resident memory grew {outcome.RssGrowth:N0} bytes (bound {MemoryBound:N0})"));
        }

        if (outcome.Error is null)
        {
            report.Succeeded++;
        }
        else if (_format.IsTyped(outcome.Error))
        {
            report.Typed++;
        }
        else
        {
            report.Untyped++;
            report.Findings.Add(new("untyped", input, outcome.Error.ToString()));
        }

        return true;
    }

    /// <summary>Writes each finding's input to <paramref name="folder"/> under its content hash; returns the paths.</summary>
    public static IReadOnlyList<string> Save(IEnumerable<Finding> findings, string folder)
    {
        var paths = new List<string>();
        foreach (Finding finding in findings)
        {
            Directory.CreateDirectory(folder);
            string path = Path.Combine(folder, $"{finding.Kind}-{Convert.ToHexStringLower(SHA256.HashData(finding.Input))[..16]}.bin");
            File.WriteAllBytes(path, finding.Input);
            paths.Add(path);
        }

        return paths;
    }

    public void Dispose()
    {
        _stopping = true;
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open by an abandoned input.
        }
    }

    private readonly record struct Outcome(Exception? Error, TimeSpan Elapsed, long Allocated, long RssGrowth, long PeakRss, bool Unfinished);

    private Outcome Execute(byte[] input)
    {
        Exception? error = null;
        long rssBefore = Environment.WorkingSet;
        Interlocked.Exchange(ref _peakRss, rssBefore);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            try
            {
                _format.Read(input, _work);
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true, Name = "fuzz input" };
        worker.Start();
        bool finished = worker.Join(GiveUp);
        TimeSpan elapsed = clock.Elapsed;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        long peak = Math.Max(Interlocked.Read(ref _peakRss), Environment.WorkingSet);
        return new Outcome(error, elapsed, allocated, Math.Max(0, peak - rssBefore), peak, !finished);
    }

    private void Sample()
    {
        while (!_stopping)
        {
            long rss = Environment.WorkingSet;
            long peak;
            do
            {
                peak = Interlocked.Read(ref _peakRss);
            }
            while (rss > peak && Interlocked.CompareExchange(ref _peakRss, rss, peak) != peak);
            Thread.Sleep(5);
        }
    }
}
