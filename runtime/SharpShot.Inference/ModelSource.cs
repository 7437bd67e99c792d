namespace SharpShot.Inference;

/// <summary>Where a model being loaded came from, so every load error can name it the same way.</summary>
/// <param name="Description">The model as a message names it, e.g. <c>ONNX model '/models/a.onnx'</c>.</param>
/// <param name="FilePath">The file, or <see langword="null"/> for a model given as bytes.</param>
internal sealed record ModelSource(string Description, string? FilePath)
{
    public static ModelSource File(string fullPath) => new($"ONNX model '{fullPath}'", fullPath);

    public static ModelSource Bytes(int length) => new($"the in-memory ONNX model ({length} bytes)", null);

    /// <summary>An exception reading "Cannot load {model}: {reason}".</summary>
    public OnnxModelLoadException Fail(string reason, Exception? innerException = null) =>
        new(FilePath, $"Cannot load {Description}: {reason}", innerException);

    /// <summary>An exception with a message that already names the model.</summary>
    public OnnxModelLoadException FailWithMessage(string message, Exception? innerException) =>
        new(FilePath, message, innerException);
}
