using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.ExceptionServices;
using StbImageSharp;

namespace SharpShot.FewShot;

/// <summary>
/// Turns image files (PNG, JPEG, BMP; decoded by StbImageSharp, fully managed) into float samples: channel
/// planes with values in [0, 1], optionally inverted, resized to a square by area averaging.
/// </summary>
internal static class ImageDecoding
{
    /// <summary>Largest accepted image side: guards against a corrupt header that asks for a huge allocation.</summary>
    internal const int MaxSide = 16384;

    /// <summary>Largest accepted file or zip entry.</summary>
    internal const int MaxFileBytes = 64 << 20;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // StbImageSharp keeps the reason for a failure in one static field, which concurrent decodes overwrite; a
    // failed decode is repeated under this lock to report its own reason.
    private static readonly object StbErrorLock = new();

    private static readonly uint[] CrcTable = BuildCrcTable();

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
        Parallel.For(
            0,
            images.Count,
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
    /// <paramref name="invert"/>.
    /// </summary>
    /// <exception cref="FewShotDataException">The bytes are not a decodable image.</exception>
    internal static void Decode(byte[] data, string path, string? entry, int channels, bool invert, int size, Span<float> destination)
    {
        string name = entry ?? path;
        if (data.Length == 0)
        {
            throw new FewShotDataException(path, entry, "the image file is empty.");
        }

        if (data.AsSpan().StartsWith(PngSignature))
        {
            CheckPng(data, path, entry);
        }
        else if (name.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new FewShotDataException(
                path, entry, $"not a PNG file: it starts with {Hex(data.AsSpan(0, Math.Min(8, data.Length)))}; a PNG file starts with {Hex(PngSignature)}.");
        }
        else
        {
            ImageInfo? info;
            try
            {
                info = ImageInfo.FromStream(new MemoryStream(data, writable: false));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                info = null;
            }

            if (info is null)
            {
                throw new FewShotDataException(path, entry, $"not a PNG, JPEG or BMP image (it starts with {Hex(data.AsSpan(0, Math.Min(8, data.Length)))}).");
            }

            CheckSize(info.Value.Width, info.Value.Height, path, entry);
        }

        ColorComponents wanted = channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue;
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(data, wanted);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string reason;
            lock (StbErrorLock)
            {
                try
                {
                    ImageResult.FromMemory(data, wanted);
                    reason = e.Message;
                }
                catch (Exception again) when (again is not OutOfMemoryException)
                {
                    reason = again.Message;
                }
            }

            throw new FewShotDataException(path, entry, $"the image cannot be decoded ({(string.IsNullOrEmpty(reason) ? e.GetType().Name : reason)}).", e);
        }

        CheckSize(image.Width, image.Height, path, entry);
        if (image.Data is null || image.Data.Length < (long)image.Width * image.Height * channels)
        {
            throw new FewShotDataException(path, entry, "the decoder returned fewer pixels than the image's size declares.");
        }

        AreaResize(image.Data, image.Width, image.Height, channels, invert, size, destination);
    }

    /// <summary>
    /// Resizes interleaved 8-bit pixels (<paramref name="channels"/> per pixel) to planar
    /// <paramref name="size"/> x <paramref name="size"/> floats by area averaging: each output pixel is the mean of
    /// the source area it covers, fractional pixels weighted by their covered fraction (a box filter; for
    /// upsampling, each output pixel takes the source pixel(s) under it).
    /// </summary>
    internal static void AreaResize(ReadOnlySpan<byte> pixels, int width, int height, int channels, bool invert, int size, Span<float> destination)
    {
        (int[] xStart, float[][] xWeights) = AxisWeights(width, size);
        (int[] yStart, float[][] yWeights) = AxisWeights(height, size);
        var rows = new float[height * size];
        const float Scale = 1f / 255f;
        for (int c = 0; c < channels; c++)
        {
            // Horizontal pass: every source row to `size` columns.
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = pixels.Slice(y * width * channels, width * channels);
                for (int ox = 0; ox < size; ox++)
                {
                    float[] w = xWeights[ox];
                    int start = xStart[ox];
                    float sum = 0f;
                    for (int k = 0; k < w.Length; k++)
                    {
                        sum += w[k] * row[((start + k) * channels) + c];
                    }

                    rows[(y * size) + ox] = sum * Scale;
                }
            }

            // Vertical pass: `height` rows to `size` rows.
            Span<float> plane = destination.Slice(c * size * size, size * size);
            for (int oy = 0; oy < size; oy++)
            {
                float[] w = yWeights[oy];
                int start = yStart[oy];
                for (int ox = 0; ox < size; ox++)
                {
                    float sum = 0f;
                    for (int k = 0; k < w.Length; k++)
                    {
                        sum += w[k] * rows[((start + k) * size) + ox];
                    }

                    sum = Math.Clamp(sum, 0f, 1f);
                    plane[(oy * size) + ox] = invert ? 1f - sum : sum;
                }
            }
        }
    }

    /// <summary>
    /// For each of <paramref name="target"/> output pixels, the first source pixel it covers and the weights of the
    /// source pixels it covers (summing to 1). Computed in integers scaled by <paramref name="target"/>, so the
    /// overlaps are exact.
    /// </summary>
    private static (int[] Start, float[][] Weights) AxisWeights(int source, int target)
    {
        var starts = new int[target];
        var weights = new float[target][];
        for (int i = 0; i < target; i++)
        {
            // Output pixel i covers [i*source, (i+1)*source) and source pixel j covers [j*target, (j+1)*target).
            long lo = (long)i * source, hi = (long)(i + 1) * source;
            int first = (int)(lo / target);
            int last = (int)((hi - 1) / target);
            var w = new float[last - first + 1];
            for (int j = first; j <= last; j++)
            {
                long overlap = Math.Min((long)(j + 1) * target, hi) - Math.Max((long)j * target, lo);
                w[j - first] = (float)((double)overlap / source);
            }

            starts[i] = first;
            weights[i] = w;
        }

        return (starts, weights);
    }

    private static void CheckSize(int width, int height, string path, string? entry)
    {
        if (width <= 0 || height <= 0 || width > MaxSide || height > MaxSide)
        {
            throw new FewShotDataException(path, entry, $"the image is {width} x {height} pixels; expected 1 to {MaxSide} pixels a side.");
        }
    }

    /// <summary>
    /// Checks a PNG's structure before decoding: the IHDR chunk first with a sane size, every chunk whole and every
    /// critical chunk's CRC right, image data present and an IEND chunk. Corrupt or truncated files fail here with
    /// a precise reason instead of inside the decoder.
    /// </summary>
    private static void CheckPng(byte[] data, string path, string? entry)
    {
        int position = PngSignature.Length;
        bool sawData = false;
        bool first = true;
        while (true)
        {
            if (data.Length - position < 12)
            {
                throw new FewShotDataException(path, entry, $"the PNG data is truncated: it ends after {data.Length} bytes, before the IEND chunk.");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            ReadOnlySpan<byte> typeBytes = data.AsSpan(position + 4, 4);
            string type = System.Text.Encoding.ASCII.GetString(typeBytes);
            if (length > (uint)(data.Length - position - 12))
            {
                throw new FewShotDataException(
                    path, entry, $"the PNG data is truncated or corrupt: chunk '{type}' at byte {position} declares {length} bytes but only {data.Length - position - 12} follow.");
            }

            ReadOnlySpan<byte> body = data.AsSpan(position + 8, (int)length);
            bool critical = (typeBytes[0] & 0x20) == 0;
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position + 8 + (int)length));
            if (critical && stored != Crc32(data.AsSpan(position + 4, 4 + (int)length)))
            {
                throw new FewShotDataException(path, entry, $"the PNG data is corrupt: the CRC of chunk '{type}' at byte {position} does not match its contents.");
            }

            if (first)
            {
                if (type != "IHDR" || length != 13)
                {
                    throw new FewShotDataException(path, entry, $"the PNG data is corrupt: the first chunk is '{type}' ({length} bytes); expected 'IHDR' (13 bytes).");
                }

                uint width = BinaryPrimitives.ReadUInt32BigEndian(body);
                uint height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                CheckSize((int)Math.Min(width, int.MaxValue), (int)Math.Min(height, int.MaxValue), path, entry);
                first = false;
            }
            else if (type == "IDAT")
            {
                sawData = true;
            }
            else if (type == "IEND")
            {
                if (!sawData)
                {
                    throw new FewShotDataException(path, entry, "the PNG data is corrupt: it has no IDAT (image data) chunk.");
                }

                return;
            }

            position += 12 + (int)length;
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes) is { Length: > 0 } hex
        ? string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(2 * i, 2)))
        : "(nothing)";
}
