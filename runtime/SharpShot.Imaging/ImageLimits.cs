namespace SharpShot.Imaging;

/// <summary>
/// Bounds on what decoding one image may cost, checked from the file's size and its header before any pixel is
/// decoded: an image beyond them fails with an <see cref="ImageLimitException"/> naming the bound.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Default of <see cref="MaxFileBytes"/>: 64 MiB.</summary>
    public const int DefaultMaxFileBytes = 64 << 20;

    /// <summary>Default of <see cref="MaxPixels"/>: 50 million (a 50-megapixel photo; about 150 MB decoded as RGB).</summary>
    public const long DefaultMaxPixels = 50_000_000;

    /// <summary>Default of <see cref="MaxSide"/>: 16384 pixels.</summary>
    public const int DefaultMaxSide = 16384;

    private readonly int _maxFileBytes = DefaultMaxFileBytes;
    private readonly long _maxPixels = DefaultMaxPixels;
    private readonly int _maxSide = DefaultMaxSide;

    /// <summary>The defaults.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>The largest encoded image (file, stream or byte span) accepted.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int MaxFileBytes
    {
        get => _maxFileBytes;
        init => _maxFileBytes = Positive(value, nameof(MaxFileBytes));
    }

    /// <summary>The most pixels (width × height) an image may have.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public long MaxPixels
    {
        get => _maxPixels;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxPixels));
            _maxPixels = value;
        }
    }

    /// <summary>The longest side, in pixels, an image may have.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int MaxSide
    {
        get => _maxSide;
        init => _maxSide = Positive(value, nameof(MaxSide));
    }

    /// <summary>Throws when an image of <paramref name="width"/> × <paramref name="height"/> pixels exceeds <see cref="MaxSide"/> or <see cref="MaxPixels"/>.</summary>
    /// <exception cref="ImageDecodeException">A side is 0 or negative.</exception>
    /// <exception cref="ImageLimitException">A bound is exceeded.</exception>
    internal void CheckSize(long width, long height, string? sourceName)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageDecodeException($"the image is {width} x {height} pixels; a side must be at least 1.", sourceName);
        }

        long side = Math.Max(width, height);
        if (side > MaxSide)
        {
            throw new ImageLimitException(
                $"the image is {width} x {height} pixels; expected 1 to {MaxSide} pixels a side (ImageLimits.MaxSide).",
                sourceName, "ImageLimits.MaxSide", MaxSide, side);
        }

        if (width * height > MaxPixels)
        {
            throw new ImageLimitException(
                $"the image is {width} x {height} = {width * height:N0} pixels; at most {MaxPixels:N0} are accepted (ImageLimits.MaxPixels).",
                sourceName, "ImageLimits.MaxPixels", MaxPixels, width * height);
        }
    }

    /// <summary>Throws when an encoded image of <paramref name="length"/> bytes exceeds <see cref="MaxFileBytes"/>.</summary>
    internal void CheckFileBytes(long length, string? sourceName)
    {
        if (length > MaxFileBytes)
        {
            throw new ImageLimitException(
                $"the image data is {length:N0} bytes; at most {MaxFileBytes:N0} are accepted (ImageLimits.MaxFileBytes).",
                sourceName, "ImageLimits.MaxFileBytes", MaxFileBytes, length);
        }
    }

    private static int Positive(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        return value;
    }
}
