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
    public static void Write(string path, Action<Stream> write)
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
            File.Move(tempPath, fullPath, overwrite: true);
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
