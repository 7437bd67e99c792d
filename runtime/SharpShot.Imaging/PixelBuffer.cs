namespace SharpShot.Imaging;

/// <summary>How the bytes of one pixel are laid out in a <see cref="PixelBuffer"/>.</summary>
public enum PixelFormat
{
    /// <summary>One byte: grey.</summary>
    Gray8,

    /// <summary>Three bytes: red, green, blue.</summary>
    Rgb24,

    /// <summary>Three bytes: blue, green, red (e.g. Windows bitmaps, OpenCV).</summary>
    Bgr24,

    /// <summary>Four bytes: red, green, blue, alpha.</summary>
    Rgba32,

    /// <summary>Four bytes: blue, green, red, alpha.</summary>
    Bgra32,
}

/// <summary>
/// Decoded 8-bit pixels an app already holds (a camera frame, a bitmap from another library): rows of
/// <see cref="Width"/> pixels in <see cref="Format"/>, each row starting <see cref="Stride"/> bytes after the previous
/// one. Alpha is ignored (not composited), as the file decoder ignores it.
/// </summary>
public readonly ref struct PixelBuffer
{
    /// <summary>Wraps pixels, checking that the span holds every row.</summary>
    /// <param name="pixels">The pixel bytes; at least <c>(height - 1) × stride + width × bytes per pixel</c>.</param>
    /// <param name="width">Pixels per row; at least 1.</param>
    /// <param name="height">Rows; at least 1.</param>
    /// <param name="stride">Bytes from one row's start to the next; at least <c>width × bytes per pixel</c>.</param>
    /// <param name="format">The layout of one pixel.</param>
    /// <exception cref="ArgumentException">A size is not positive, the stride is shorter than a row, or the span is too short.</exception>
    public PixelBuffer(ReadOnlySpan<byte> pixels, int width, int height, int stride, PixelFormat format)
    {
        int bytesPerPixel = BytesPerPixel(format);
        if (width < 1 || height < 1)
        {
            throw new ArgumentException($"An image is at least 1 x 1 pixels; got {width} x {height}.", nameof(width));
        }

        long row = (long)width * bytesPerPixel;
        if (stride < row)
        {
            throw new ArgumentException($"The stride ({stride} bytes) is shorter than a row of {width} {format} pixels ({row} bytes).", nameof(stride));
        }

        long needed = ((long)(height - 1) * stride) + row;
        if (pixels.Length < needed)
        {
            throw new ArgumentException(
                $"{height} rows of {width} {format} pixels with a stride of {stride} bytes need {needed:N0} bytes; the span holds {pixels.Length:N0}.", nameof(pixels));
        }

        Pixels = pixels;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
    }

    /// <summary>The pixel bytes.</summary>
    public ReadOnlySpan<byte> Pixels { get; }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Bytes from one row's start to the next.</summary>
    public int Stride { get; }

    /// <summary>The layout of one pixel.</summary>
    public PixelFormat Format { get; }

    /// <summary>Bytes one pixel of <paramref name="format"/> takes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a <see cref="PixelFormat"/> value.</exception>
    public static int BytesPerPixel(PixelFormat format) => format switch
    {
        PixelFormat.Gray8 => 1,
        PixelFormat.Rgb24 or PixelFormat.Bgr24 => 3,
        PixelFormat.Rgba32 or PixelFormat.Bgra32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a pixel format."),
    };
}

/// <summary>An image decoded from a file or bytes: rows of 8-bit <see cref="PixelFormat.Gray8"/> or <see cref="PixelFormat.Rgb24"/> pixels, no padding.</summary>
public sealed class DecodedImage
{
    internal DecodedImage(int width, int height, PixelFormat format, byte[] pixels)
    {
        Width = width;
        Height = height;
        Format = format;
        Pixels = pixels;
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary><see cref="PixelFormat.Gray8"/> or <see cref="PixelFormat.Rgb24"/>, as asked of the decoder.</summary>
    public PixelFormat Format { get; }

    /// <summary>The pixels, row after row (stride = width × bytes per pixel).</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixels as a <see cref="PixelBuffer"/>.</summary>
    public PixelBuffer AsPixelBuffer() => new(Pixels, Width, Height, Width * PixelBuffer.BytesPerPixel(Format), Format);
}
