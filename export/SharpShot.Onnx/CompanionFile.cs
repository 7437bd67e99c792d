namespace SharpShot.Onnx;

/// <summary>
/// A file that a model names in its metadata and that must lie beside it — a zero-shot embedding's attribute map
/// (<see cref="SharpShotMetadata.AttributeMap"/>). A model file is untrusted: the name it gives is accepted only as a
/// plain file name in the model's own folder, and only if no symbolic link leads the path out of that folder.
/// </summary>
public static class CompanionFile
{
    /// <summary>The full, real path of <paramref name="fileName"/> in the folder of <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The model file that names the companion.</param>
    /// <param name="fileName">The name the model gives.</param>
    /// <param name="what">What the file is, for messages (e.g. <c>attribute map</c>).</param>
    /// <exception cref="OnnxFormatException">The name is not a plain file name, or the path leads out of the model's folder.</exception>
    public static string Resolve(string modelPath, string fileName, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        string model = Path.GetFullPath(modelPath);
        if (fileName.Length == 0 || fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', '\0']) >= 0 || Path.IsPathRooted(fileName))
        {
            throw new OnnxFormatException(
                $"ONNX model '{model}' names its {what} '{fileName}', which is refused: it must be a plain file name in the model's folder.");
        }

        string folder;
        string file;
        try
        {
            folder = RealPath.Resolve(Path.GetDirectoryName(model)!);
            file = RealPath.Resolve(Path.Join(folder, fileName));
        }
        catch (IOException e)
        {
            throw new OnnxFormatException($"The {what} '{fileName}' of ONNX model '{model}' could not be resolved: {e.Message}", e);
        }

        if (!RealPath.IsBelow(file, folder))
        {
            throw new OnnxFormatException(
                $"ONNX model '{model}' names its {what} '{fileName}', which is refused: a symbolic link leads it to '{file}', outside the model's folder.");
        }

        return file;
    }
}
