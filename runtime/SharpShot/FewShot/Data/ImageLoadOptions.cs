using SharpShot.Imaging;

namespace SharpShot.FewShot;

/// <summary>
/// Bounds on loading many images for few-shot data (<see cref="ImageFolder"/>, <see cref="Omniglot"/>): what one image
/// may cost to decode, and how many pixels the parallel decoders may hold at once, so that a folder of large images
/// cannot exhaust memory. An image beyond <see cref="Limits"/> fails with a <see cref="FewShotDataException"/> naming
/// the file and its size, before its pixels are decoded.
/// </summary>
/// <remarks>
/// Decoding an image holds a few bytes per pixel (the decoded pixels and the decoder's own buffers), so the memory
/// the decoders use at once is bounded by a small multiple of <see cref="MaxPixelsInFlight"/>, plus the encoded files
/// being read: at most <see cref="MaxDegreeOfParallelism"/> × <see cref="ImageLimits.MaxFileBytes"/>.
/// </remarks>
public sealed record ImageLoadOptions
{
    /// <summary>Default of <see cref="Limits"/>' <see cref="ImageLimits.MaxPixels"/>: 4096 × 4096 pixels (16.8 million).</summary>
    public const long DefaultMaxPixelsPerImage = 4096L * 4096;

    /// <summary>Default of <see cref="MaxPixelsInFlight"/>: two images of the largest default size (33.6 million pixels).</summary>
    public const long DefaultMaxPixelsInFlight = 2 * DefaultMaxPixelsPerImage;

    private readonly ImageLimits _limits = ImageLimits.Default with { MaxPixels = DefaultMaxPixelsPerImage };
    private readonly long _maxPixelsInFlight = DefaultMaxPixelsInFlight;
    private readonly int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>The defaults: images up to 4096 × 4096 pixels, at most two such images decoded at once, one decoder per core.</summary>
    public static ImageLoadOptions Default { get; } = new();

    /// <summary>
    /// Bounds on each image (encoded bytes, pixels, side), checked from the file's size and header before decoding. By
    /// default SharpShot.Imaging's defaults with <see cref="ImageLimits.MaxPixels"/> lowered to <see cref="DefaultMaxPixelsPerImage"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public ImageLimits Limits
    {
        get => _limits;
        init => _limits = value ?? throw new ArgumentNullException(nameof(Limits));
    }

    /// <summary>
    /// The most pixels (width × height, added over the images being decoded) the decoders may hold at once; a decoder
    /// waits for others to finish before it starts an image that would go beyond it. It must be at least
    /// <see cref="Limits"/>' <see cref="ImageLimits.MaxPixels"/>, so that every accepted image can be decoded.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public long MaxPixelsInFlight
    {
        get => _maxPixelsInFlight;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxPixelsInFlight));
            _maxPixelsInFlight = value;
        }
    }

    /// <summary>The most images read and decoded at once; by default <see cref="Environment.ProcessorCount"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxDegreeOfParallelism));
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Checks that the bounds agree with each other.</summary>
    /// <exception cref="ArgumentException"><see cref="MaxPixelsInFlight"/> is less than <see cref="Limits"/>' <see cref="ImageLimits.MaxPixels"/>.</exception>
    internal void Validate(string parameterName)
    {
        if (MaxPixelsInFlight < Limits.MaxPixels)
        {
            throw new ArgumentException(
                $"ImageLoadOptions.MaxPixelsInFlight is {MaxPixelsInFlight:N0} pixels, less than Limits.MaxPixels ({Limits.MaxPixels:N0}): an image the limits accept could never be decoded. Expected MaxPixelsInFlight >= Limits.MaxPixels.",
                parameterName);
        }
    }
}
