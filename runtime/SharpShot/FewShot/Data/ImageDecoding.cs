using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using SharpShot.Imaging;

namespace SharpShot.FewShot;

/// <summary>
/// Turns image files (PNG, JPEG, BMP; decoded by StbImageSharp, fully managed) into float samples: channel
/// planes with values in [0, 1], optionally inverted, resized to a square by area averaging.
/// </summary>
internal static class ImageDecoding
{
    /// <summary>
    /// An image to decode: a file, or the entry <see cref="Entry"/> of the zip file <see cref="Path"/>; and where
    /// its sample goes.
    /// </summary>
    internal readonly record struct Pending(string Path, string? Entry, float[] Target, int Offset);

    /// <summary>
    /// Reads and decodes <paramref name="images"/> in parallel into their targets (each worker opens its own view of
    /// a zip file, as a <see cref="ZipArchive"/> is not thread-safe), within <paramref name="options"/>: at most
    /// <see cref="ImageLoadOptions.MaxDegreeOfParallelism"/> images at once, each within its limits, their pixels
    /// together within <see cref="ImageLoadOptions.MaxPixelsInFlight"/>. Every image is attempted; when some fail, the
    /// error of the first failing one (in list order) is thrown, so the outcome does not depend on scheduling.
    /// </summary>
    /// <exception cref="FewShotDataException">An image or zip entry cannot be read or decoded, or exceeds the limits; the message names its file (and entry).</exception>
    internal static void DecodeAll(IReadOnlyList<Pending> images, int channels, bool invert, int size, ImageLoadOptions options) =>
        DecodeAll(images, channels, invert, size, options, new PixelBudget(options.MaxPixelsInFlight));

    /// <summary><see cref="DecodeAll(IReadOnlyList{Pending}, int, bool, int, ImageLoadOptions)"/> with the budget given, so tests can read its peak.</summary>
    internal static void DecodeAll(IReadOnlyList<Pending> images, int channels, bool invert, int size, ImageLoadOptions options, PixelBudget budget)
    {
        var errors = new Exception?[images.Count];
        int sampleLength = channels * size * size;
        Parallel.For(
            0,
            images.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            () => new Dictionary<string, ZipArchive>(StringComparer.Ordinal),
            (i, _, archives) =>
            {
                Pending image = images[i];
                try
                {
                    byte[] data = image.Entry is null
                        ? ReadFile(image.Path, options.Limits.MaxFileBytes)
                        : ReadEntry(Archive(archives, image.Path), image.Path, image.Entry, options.Limits.MaxFileBytes);
                    Decode(data, image.Path, image.Entry, channels, invert, size, image.Target.AsSpan(image.Offset, sampleLength), options.Limits, budget);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    errors[i] = e;
                }

                return archives;
            },
            archives =>
            {
                foreach (ZipArchive archive in archives.Values)
                {
                    archive.Dispose();
                }
            });

        foreach (Exception? error in errors)
        {
            if (error is not null)
            {
                ExceptionDispatchInfo.Capture(error).Throw();
            }
        }
    }

    /// <summary>Opens <paramref name="zipPath"/> for reading, wrapping a corrupt file's error in a <see cref="FewShotDataException"/> naming it.</summary>
    internal static ZipArchive OpenZip(string zipPath)
    {
        try
        {
            return ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException e)
        {
            throw new FewShotDataException(zipPath, null, $"not a valid zip file ({e.Message}).", e);
        }
    }

    private static ZipArchive Archive(Dictionary<string, ZipArchive> archives, string zipPath)
    {
        if (!archives.TryGetValue(zipPath, out ZipArchive? archive))
        {
            archive = OpenZip(zipPath);
            archives.Add(zipPath, archive);
        }

        return archive;
    }

    /// <summary>Reads the whole entry <paramref name="entryName"/>, checking its size against the zip directory and <paramref name="maxFileBytes"/>.</summary>
    private static byte[] ReadEntry(ZipArchive archive, string zipPath, string entryName, int maxFileBytes)
    {
        ZipArchiveEntry entry = archive.GetEntry(entryName)
            ?? throw new FewShotDataException(zipPath, entryName, "the entry has disappeared from the zip file since it was listed.");
        if (entry.Length > maxFileBytes)
        {
            throw new FewShotDataException(zipPath, entryName, $"the entry is {entry.Length:N0} bytes; an image is expected to be at most {maxFileBytes:N0} bytes (ImageLoadOptions.Limits.MaxFileBytes).");
        }

        try
        {
            using Stream stream = entry.Open();
            var data = new byte[entry.Length];
            int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length || stream.ReadByte() != -1)
            {
                string got = read < data.Length ? read.ToString("N0", CultureInfo.InvariantCulture) : "more than " + data.Length.ToString("N0", CultureInfo.InvariantCulture);
                throw new FewShotDataException(zipPath, entryName, $"the entry is corrupt: it decompresses to {got} bytes, but the zip directory says {data.Length:N0}.");
            }

            return data;
        }
        catch (InvalidDataException e)
        {
            throw new FewShotDataException(zipPath, entryName, $"the entry is corrupt ({e.Message}).", e);
        }
    }

    /// <summary>Reads a whole image file, refusing one larger than <paramref name="maxFileBytes"/>.</summary>
    internal static byte[] ReadFile(string path, int maxFileBytes)
    {
        long length = new FileInfo(path).Length;
        if (length > maxFileBytes)
        {
            throw new FewShotDataException(path, null, $"the file is {length:N0} bytes; an image file is expected to be at most {maxFileBytes:N0} bytes (ImageLoadOptions.Limits.MaxFileBytes).");
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Decodes one image into <paramref name="destination"/>: <paramref name="channels"/> planes (1: grey, 3: red,
    /// green, blue) of <paramref name="size"/> x <paramref name="size"/> values in [0, 1], 1 − value when
    /// <paramref name="invert"/> (SharpShot.Imaging, the decoder the ONNX host uses too). Its size is read from the
    /// header and checked against <paramref name="limits"/> first; its pixels are taken from <paramref name="budget"/>
    /// while it is decoded.
    /// </summary>
    /// <exception cref="FewShotDataException">The bytes are not a decodable image, or exceed the image limits.</exception>
    internal static void Decode(byte[] data, string path, string? entry, int channels, bool invert, int size, Span<float> destination, ImageLimits limits, PixelBudget budget)
    {
        string name = entry ?? path;
        try
        {
            (int width, int height) = ImageDecoder.ReadSize(data, limits, name);
            long pixels = (long)width * height;
            budget.Acquire(pixels);
            try
            {
                DecodedImage image = ImageDecoder.Decode(data, channels == 1 ? ImageColor.Gray : ImageColor.Rgb, limits, name);
                ImageResizer.ToPlanar(image.AsPixelBuffer(), channels, size, size, invert ? PixelValues.InvertedUnitRange : PixelValues.UnitRange, destination);
            }
            finally
            {
                budget.Release(pixels);
            }
        }
        catch (ImageLimitException e)
        {
            throw new FewShotDataException(path, entry, $"{e.Reason} Raise ImageLoadOptions.Limits to load larger images.", e);
        }
        catch (ImageDecodeException e)
        {
            throw new FewShotDataException(path, entry, e.Reason, e);
        }
    }

    /// <summary>
    /// Resizes interleaved 8-bit pixels (<paramref name="channels"/> per pixel: grey or RGB) to planar
    /// <paramref name="size"/> x <paramref name="size"/> floats in [0, 1] by area averaging (see <see cref="ImageResizer"/>).
    /// </summary>
    internal static void AreaResize(ReadOnlySpan<byte> pixels, int width, int height, int channels, bool invert, int size, Span<float> destination)
    {
        var buffer = new PixelBuffer(pixels, width, height, width * channels, channels == 1 ? PixelFormat.Gray8 : PixelFormat.Rgb24);
        ImageResizer.ToPlanar(buffer, channels, size, size, invert ? PixelValues.InvertedUnitRange : PixelValues.UnitRange, destination);
    }
}
