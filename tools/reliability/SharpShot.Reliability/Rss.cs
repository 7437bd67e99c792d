namespace SharpShot.Reliability;

/// <summary>The process's resident set size, read from <c>/proc/self/status</c>.</summary>
internal static class Rss
{
    /// <summary>
    /// Resident memory in MiB after a full, compacting garbage collection (with finalizers run), so that what is measured
    /// is what the process keeps, not when the collector last ran.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">No <c>/proc/self/status</c> (not Linux).</exception>
    public static double MiB()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            throw new PlatformNotSupportedException("Reading the resident set size needs Linux's /proc/self/status.");
        }
        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kib / 1024.0;
            }
        }
        throw new PlatformNotSupportedException("/proc/self/status has no VmRSS line.");
    }
}
