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
    /// <summary>Bounds on each image: SharpShot.Imaging's defaults (file bytes, pixels, side).</summary>
    internal static readonly ImageLimits Limits = ImageLimits.Default;

    /// <summary>Largest accepted file or zip entry.</summary>
    internal const int MaxFileBytes = ImageLimits.DefaultMaxFileBytes;

    /// <summary>
    /// An image to decode: a file, or the entry <see cref="Entry"/> of the zip file <see cref="Path"/>; and where
    /// its sample goes.
    /// </summary>
    internal readonly record struct Pending(string Path, string? Entry, float[] Target, int Offset);

    /// <summary>
    /// Reads and decodes <paramref name="images"/> in parallel into their targets (each worker opens its own view of
    /// a zip file, as a <see cref="ZipArchive"/> is not thread-safe). Every image is attempted; when some fail, the
    /// error of the first failing one (in list order) is thrown, so the outcome does not depend on scheduling.
    /// </summary>
    /// <exception cref="FewShotDataException">An image or zip entry cannot be read or decoded; the message names its file (and entry).</exception>
    internal static void DecodeAll(IReadOnlyList<Pending> images, int channels, bool invert, int size)
    {
        var errors = new Exception?[images.Count];
        int sampleLength = channels * size * size;
        // One decode per core at a time: memory stays within the image limits times the core count.
        Parallel.For(
            0,
            images.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => new Dictionary<string, ZipArchive>(StringComparer.Ordinal),
            (i, _, archives) =>
            {
                Pending image = images[i];
                try
                {
                    byte[] data = image.Entry is null ? ReadFile(image.Path) : ReadEntry(Archive(archives, image.Path), image.Path, image.Entry);
                    Decode(data, image.Path, image.Entry, channels, invert, size, image.Target.AsSpan(image.Offset, sampleLength));
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

    /// <summary>Reads the whole entry <paramref name="entryName"/>, checking its size against the zip directory and <see cref="MaxFileBytes"/>.</summary>
    private static byte[] ReadEntry(ZipArchive archive, string zipPath, string entryName)
    {
        ZipArchiveEntry entry = archive.GetEntry(entryName)
            ?? throw new FewShotDataException(zipPath, entryName, "the entry has disappeared from the zip file since it was listed.");
        if (entry.Length > MaxFileBytes)
        {
            throw new FewShotDataException(zipPath, entryName, $"the entry is {entry.Length:N0} bytes; an image is expected to be at most {MaxFileBytes:N0} bytes.");
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

    /// <summary>Reads a whole image file, refusing one larger than <see cref="MaxFileBytes"/>.</summary>
    internal static byte[] ReadFile(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new FewShotDataException(path, null, $"the file is {length:N0} bytes; an image file is expected to be at most {MaxFileBytes:N0} bytes.");
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Decodes one image into <paramref name="destination"/>: <paramref name="channels"/> planes (1: grey, 3: red,
    /// green, blue) of <paramref name="size"/> x <paramref name="size"/> values in [0, 1], 1 − value when
    /// <paramref name="invert"/> (SharpShot.Imaging, the decoder the ONNX host uses too).
    /// </summary>
    /// <exception cref="FewShotDataException">The bytes are not a decodable image, or exceed the image limits.</exception>
    internal static void Decode(byte[] data, string path, string? entry, int channels, bool invert, int size, Span<float> destination)
    {
        DecodedImage image;
        try
        {
            image = ImageDecoder.Decode(data, channels == 1 ? ImageColor.Gray : ImageColor.Rgb, Limits, entry ?? path);
        }
        catch (ImageDecodeException e)
        {
            throw new FewShotDataException(path, entry, e.Reason, e);
        }

        ImageResizer.ToPlanar(image.AsPixelBuffer(), channels, size, size, invert ? PixelValues.InvertedUnitRange : PixelValues.UnitRange, destination);
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
