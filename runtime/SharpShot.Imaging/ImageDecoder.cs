using StbImageSharp;

namespace SharpShot.Imaging;

/// <summary>What the decoder converts an image to.</summary>
public enum ImageColor
{
    /// <summary>One grey byte per pixel (colour images: luma <c>(77 r + 150 g + 29 b) / 256</c>, as stb_image computes it).</summary>
    Gray,

    /// <summary>Red, green and blue bytes per pixel (grey images repeat their value).</summary>
    Rgb,
}

/// <summary>
/// Decodes PNG, JPEG and BMP images (fully managed: StbImageSharp, no native library) within <see cref="ImageLimits"/>:
/// the data's size and the header's width and height are checked before any pixel is decoded, and a PNG's chunk
/// structure and checksums before the decoder sees it, so a corrupt, truncated or hostile file fails with an
/// <see cref="ImageDecodeException"/> that says why. Safe to call from several threads at once.
/// </summary>
public static class ImageDecoder
{
    // StbImageSharp keeps the reason for a failure in one static field, which concurrent decodes overwrite; a
    // failed decode is repeated under this lock to report its own reason.
    private static readonly object StbErrorLock = new();

    /// <summary>Decodes an encoded image.</summary>
    /// <param name="data">The bytes of a PNG, JPEG or BMP file.</param>
    /// <param name="color">Grey or RGB output.</param>
    /// <param name="limits">Bounds; <see cref="ImageLimits.Default"/> when null.</param>
    /// <param name="sourceName">A name for messages (file, entry, upload); null for none.</param>
    /// <exception cref="ImageDecodeException">Not a PNG, JPEG or BMP image, or corrupt, truncated or empty.</exception>
    /// <exception cref="ImageLimitException">The data or the image exceeds <paramref name="limits"/>.</exception>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, ImageColor color, ImageLimits? limits = null, string? sourceName = null)
    {
        limits ??= ImageLimits.Default;
        limits.CheckFileBytes(data.Length, sourceName);
        return DecodeChecked(data.ToArray(), color, limits, sourceName);
    }

    /// <summary>Decodes an encoded image held in an array, read in place (the span overload copies its bytes first).</summary>
    /// <exception cref="ImageDecodeException">Not a PNG, JPEG or BMP image, or corrupt, truncated or empty.</exception>
    /// <exception cref="ImageLimitException">The data or the image exceeds <paramref name="limits"/>.</exception>
    public static DecodedImage Decode(byte[] data, ImageColor color, ImageLimits? limits = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        limits ??= ImageLimits.Default;
        limits.CheckFileBytes(data.Length, sourceName);
        return DecodeChecked(data, color, limits, sourceName);
    }

    /// <summary>Decodes the image file at <paramref name="path"/>; a file over <see cref="ImageLimits.MaxFileBytes"/> is refused before it is read.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">Not a PNG, JPEG or BMP image, or corrupt, truncated or empty; the message names the file.</exception>
    /// <exception cref="ImageLimitException">The file or the image exceeds <paramref name="limits"/>.</exception>
    public static DecodedImage DecodeFile(string path, ImageColor color, ImageLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= ImageLimits.Default;
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The image file '{full}' does not exist.", full);
        }

        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        limits.CheckFileBytes(stream.Length, full);
        return DecodeChecked(ReadBounded(stream, limits, full), color, limits, full);
    }

    /// <summary>Decodes an encoded image read from <paramref name="stream"/>; at most <see cref="ImageLimits.MaxFileBytes"/> + 1 bytes are read.</summary>
    /// <exception cref="ImageDecodeException">Not a PNG, JPEG or BMP image, or corrupt, truncated or empty.</exception>
    /// <exception cref="ImageLimitException">The stream holds more than <see cref="ImageLimits.MaxFileBytes"/> bytes, or the image exceeds the limits.</exception>
    public static DecodedImage Decode(Stream stream, ImageColor color, ImageLimits? limits = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ImageLimits.Default;
        return DecodeChecked(ReadBounded(stream, limits, sourceName), color, limits, sourceName);
    }

    /// <summary>Reads a width and height from the header alone, checking them against the limits; nothing is decoded.</summary>
    /// <exception cref="ImageDecodeException">Not a PNG, JPEG or BMP image, or a corrupt header.</exception>
    /// <exception cref="ImageLimitException">The image exceeds <paramref name="limits"/>.</exception>
    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> data, ImageLimits? limits = null, string? sourceName = null)
    {
        limits ??= ImageLimits.Default;
        limits.CheckFileBytes(data.Length, sourceName);
        return CheckHeader(data.ToArray(), limits, sourceName);
    }

    /// <summary>Reads a width and height from the header of an encoded image held in an array, read in place; nothing is decoded.</summary>
    /// <exception cref="ImageDecodeException">Not a PNG, JPEG or BMP image, or a corrupt header.</exception>
    /// <exception cref="ImageLimitException">The data or the image exceeds <paramref name="limits"/>.</exception>
    public static (int Width, int Height) ReadSize(byte[] data, ImageLimits? limits = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        limits ??= ImageLimits.Default;
        limits.CheckFileBytes(data.Length, sourceName);
        return CheckHeader(data, limits, sourceName);
    }

    private static byte[] ReadBounded(Stream stream, ImageLimits limits, string? sourceName)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        // Never more than one byte past the limit: enough to know the stream is too long.
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limits.MaxFileBytes + 1L - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
            limits.CheckFileBytes(buffer.Length, sourceName);
        }

        return buffer.ToArray();
    }

    private static DecodedImage DecodeChecked(byte[] data, ImageColor color, ImageLimits limits, string? sourceName)
    {
        CheckHeader(data, limits, sourceName);
        ColorComponents wanted = color == ImageColor.Gray ? ColorComponents.Grey : ColorComponents.RedGreenBlue;
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(data, wanted);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageDecodeException($"the image cannot be decoded ({ReasonOf(data, wanted, e)}).", sourceName, e);
        }

        limits.CheckSize(image.Width, image.Height, sourceName);
        int channels = color == ImageColor.Gray ? 1 : 3;
        if (image.Data is null || image.Data.Length < (long)image.Width * image.Height * channels)
        {
            throw new ImageDecodeException("the decoder returned fewer pixels than the image's size declares.", sourceName);
        }

        return new DecodedImage(image.Width, image.Height, color == ImageColor.Gray ? PixelFormat.Gray8 : PixelFormat.Rgb24, image.Data);
    }

    private static string ReasonOf(byte[] data, ColorComponents wanted, Exception first)
    {
        lock (StbErrorLock)
        {
            try
            {
                ImageResult.FromMemory(data, wanted);
                return string.IsNullOrEmpty(first.Message) ? first.GetType().Name : first.Message;
            }
            catch (Exception again) when (again is not OutOfMemoryException)
            {
                return string.IsNullOrEmpty(again.Message) ? again.GetType().Name : again.Message;
            }
        }
    }

    /// <summary>Identifies the format from its signature and checks the size its header declares.</summary>
    private static (int Width, int Height) CheckHeader(byte[] data, ImageLimits limits, string? sourceName)
    {
        if (data.Length == 0)
        {
            throw new ImageDecodeException("the image data is empty.", sourceName);
        }

        if (data.AsSpan().StartsWith(PngStructure.Signature))
        {
            var (width, height) = PngStructure.Check(data, sourceName);
            limits.CheckSize(width, height, sourceName);
            return ((int)width, (int)height);
        }

        if (sourceName is not null && sourceName.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImageDecodeException(
                $"not a PNG file: it starts with {Hex(data.AsSpan(0, Math.Min(8, data.Length)))}; a PNG file starts with {Hex(PngStructure.Signature)}.", sourceName);
        }

        bool jpeg = data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
        bool bmp = data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M';
        if (jpeg)
        {
            JpegStructure.Check(data, sourceName);
        }

        ImageInfo? info = null;
        if (jpeg || bmp)
        {
            try
            {
                info = ImageInfo.FromStream(new MemoryStream(data, writable: false));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                info = null;
            }
        }

        if (info is null)
        {
            throw new ImageDecodeException(
                jpeg || bmp
                    ? $"the {(jpeg ? "JPEG" : "BMP")} header is corrupt or truncated (it starts with {Hex(data.AsSpan(0, Math.Min(8, data.Length)))})."
                    : $"not a PNG, JPEG or BMP image (it starts with {Hex(data.AsSpan(0, Math.Min(8, data.Length)))}).",
                sourceName);
        }

        limits.CheckSize(info.Value.Width, info.Value.Height, sourceName);
        return (info.Value.Width, info.Value.Height);
    }

    internal static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty
        ? "(nothing)"
        : string.Join(' ', bytes.ToArray().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
