namespace SharpShot.Testing;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharpshot-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="relative"/> inside the folder, creating its parent folders.</summary>
    public string File(string relative)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        return full;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="relative"/>, gzip-compressed when asked.</summary>
    public string WriteBytes(string relative, byte[] bytes, bool gzip = false)
    {
        string full = File(relative);
        if (gzip)
        {
            using var stream = System.IO.File.Create(full);
            using var zipped = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionLevel.Fastest);
            zipped.Write(bytes);
        }
        else
        {
            System.IO.File.WriteAllBytes(full, bytes);
        }

        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
