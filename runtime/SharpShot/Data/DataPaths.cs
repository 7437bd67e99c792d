namespace SharpShot.Data;

/// <summary>
/// Where SharpShot looks for data sets on disk. Nothing is ever downloaded: data comes from a folder the
/// user names, the <see cref="EnvironmentVariable"/> folder, or a system-wide install.
/// </summary>
public static class DataPaths
{
    /// <summary>
    /// The environment variable naming a folder of data sets. A loader looks in the folder itself and in a
    /// subfolder named after its data set (e.g. <c>$SHARPSHOT_DATA/fashion-mnist</c>).
    /// </summary>
    public const string EnvironmentVariable = "SHARPSHOT_DATA";

    /// <summary>Where Debian/Ubuntu data set packages (e.g. <c>dataset-fashion-mnist</c>) install their files.</summary>
    public const string SystemDatasetsDirectory = "/usr/share/datasets";

    /// <summary>
    /// The path of <paramref name="fileName"/> in <paramref name="directory"/>, as it is or with a <c>.gz</c>
    /// suffix (data sets are often distributed compressed); the uncompressed file wins when both exist, as it
    /// loads faster.
    /// </summary>
    /// <param name="directory">The folder to look in.</param>
    /// <param name="fileName">The file name without a <c>.gz</c> suffix.</param>
    /// <returns>The full path of the file found, or null when neither form exists.</returns>
    public static string? FindFile(string directory, string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        string raw = Path.GetFullPath(Path.Combine(directory, fileName));
        if (File.Exists(raw))
        {
            return raw;
        }

        string compressed = raw + ".gz";
        return File.Exists(compressed) ? compressed : null;
    }
}
