namespace SharpShot.Onnx;

/// <summary>
/// Where the bytes of a tensor kept outside the model file lie: a file named relative to the model's folder and a
/// byte range in it. Large models keep their weights this way, because a protobuf file cannot exceed 2 GiB. The
/// bytes are the tensor's elements in row-major order, little-endian, exactly as <c>raw_data</c> would hold them.
/// </summary>
/// <remarks>
/// The location is written as given. ONNX requires a relative path that stays inside the model's folder, and
/// readers must enforce that for every model they did not write themselves: ONNX Runtime does for initializers,
/// <see cref="OnnxGraphBuilder.InlineExternalData(string?)"/> does for every tensor.
/// </remarks>
public sealed record OnnxExternalData
{
    /// <summary>Describes a byte range of an external data file.</summary>
    /// <param name="location">The file, relative to the folder of the model file, with <c>/</c> between folders, e.g. <c>"weights.bin"</c>.</param>
    /// <param name="offset">Where the tensor's bytes start in the file; 0 for the beginning.</param>
    /// <param name="length">How many bytes the tensor takes; <see langword="null"/> leaves it to the reader (the tensor's size, or up to the end of the file).</param>
    /// <exception cref="ArgumentException"><paramref name="location"/> is null, empty, white space or contains a NUL character.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="length"/> is negative.</exception>
    public OnnxExternalData(string location, long offset = 0, long? length = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (location.Contains('\0'))
        {
            throw new ArgumentException($"The external data location \"{location.Replace("\0", "\\0")}\" contains a NUL character, which no file name can.", nameof(location));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The external data length must be zero or more, got {length}.");
        }
        Location = location;
        Offset = offset;
        Length = length;
    }

    /// <summary>The file, relative to the folder of the model file.</summary>
    public string Location { get; }

    /// <summary>Where the tensor's bytes start in the file.</summary>
    public long Offset { get; }

    /// <summary>How many bytes the tensor takes; <see langword="null"/> when not recorded.</summary>
    public long? Length { get; }
}
