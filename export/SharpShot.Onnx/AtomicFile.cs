namespace SharpShot.Onnx;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary file in
/// the target's folder (same volume, so the final rename is atomic) which then replaces the target.
/// Every SharpShot file writer (ONNX models, IDX files, checkpoints) goes through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, creating its folder if needed.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>
    /// Lets <paramref name="write"/> fill a temporary file, then renames it over <paramref name="path"/>
    /// (creating its folder if needed). If <paramref name="write"/> throws, the target is untouched and
    /// the temporary file is removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, keepPreviousAs: null);

    /// <summary>
    /// As <see cref="Write(string, Action{Stream})"/>, and when <paramref name="keepPreviousAs"/> is given and the target
    /// exists, the file it replaces is kept under that name (replacing any file there): at every moment the target
    /// holds either the old or the new bytes, and once the new ones are in place the old ones are at <paramref name="keepPreviousAs"/>.
    /// </summary>
    public static void Write(string path, Action<Stream> write, string? keepPreviousAs)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names a root folder, not a file.", nameof(path));
        Directory.CreateDirectory(folder);

        // Hidden, unique and recognisably ours, so a crash leaves an obvious leftover rather than a clash.
        var tempPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                // Reach the disk before the rename, or a power cut could leave the new name on empty data.
                stream.Flush(flushToDisk: true);
            }
            if (keepPreviousAs is not null && File.Exists(fullPath))
            {
                File.Replace(tempPath, fullPath, Path.GetFullPath(keepPreviousAs));
            }
            else
            {
                File.Move(tempPath, fullPath, overwrite: true);
            }
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure is what the caller needs to see; a leftover temp file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
