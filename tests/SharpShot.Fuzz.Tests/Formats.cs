using System.Buffers.Binary;
using SharpShot.Data;
using SharpShot.FewShot;
using SharpShot.Imaging;
using SharpShot.Inference;
using SharpShot.Testing;

namespace SharpShot.Fuzz.Tests;

/// <summary>
/// One format the fuzzer reads: its seeds, how an input is read (written to <c>work</c>, a folder of its own, when the
/// reader takes files), and the typed exceptions that are a documented outcome for a bad input. Any other exception,
/// a hang or a blow-up is a finding.
/// </summary>
/// <param name="Name">Short name: the folder under <c>tests/Fuzz/crashers/</c> and <c>run.sh --format</c>'s value.</param>
/// <param name="Seeds">Valid files to mutate.</param>
/// <param name="Read">Reads one input; returns normally on success.</param>
/// <param name="Typed">The exception types (and their subclasses) the reader documents for invalid input.</param>
/// <param name="Repair">Optionally fixes checksums after a mutation, so the mutation reaches past them (PNG's chunk CRCs).</param>
internal sealed record FuzzFormat(string Name, Func<IReadOnlyList<byte[]>> Seeds, Action<byte[], string> Read, Type[] Typed, Func<byte[], byte[]>? Repair = null)
{
    /// <summary>Whether <paramref name="e"/> is one of the documented outcomes.</summary>
    public bool IsTyped(Exception e) => Typed.Any(t => t.IsInstanceOfType(e));
}

/// <summary>The formats, one entry each: adding a format is one line here (and its seeds).</summary>
internal static class Formats
{
    public static IReadOnlyList<FuzzFormat> All { get; } =
    [
        new("idx", Seeds.Idx, (input, work) => IdxReader.Read(WriteFile(work, "data-idx3-ubyte", input)), [typeof(IdxFormatException)]),
        new("idx-gz", Seeds.IdxGzip, (input, work) => IdxReader.Read(WriteFile(work, "data-idx3-ubyte.gz", IsGzip(input) ? input : Seeds.Gzip(input))), [typeof(IdxFormatException)]),
        new("png", Seeds.Png, (input, _) => ImageDecoder.Decode(input, ImageColor.Rgb), [typeof(ImageDecodeException)], FixPngCrcs),
        new("jpeg", Seeds.Jpeg, (input, _) => ImageDecoder.Decode(input, ImageColor.Gray), [typeof(ImageDecodeException)]),
        new("bmp", Seeds.Bmp, (input, _) => ImageDecoder.Decode(input, ImageColor.Rgb), [typeof(ImageDecodeException)]),
        new("zip", Seeds.OmniglotZip, (input, work) => Omniglot.Load([WriteFile(work, "images_background.zip", input)], 8), [typeof(FewShotDataException)]),
        new("onnx", Seeds.Onnx, (input, _) => OnnxModel.Load(input).Dispose(), [typeof(OnnxModelLoadException), typeof(LimitExceededException)]),
        new("folder", () => [.. Seeds.Png(), .. Seeds.Jpeg(), .. Seeds.Bmp()], ReadFolder, [typeof(FewShotDataException)], FixPngCrcs),
        CheckpointFormat.Format,
    ];

    /// <summary>The format named <paramref name="name"/>.</summary>
    public static FuzzFormat Named(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new ArgumentException($"Unknown format '{name}'; expected one of {string.Join(", ", All.Select(f => f.Name))}.", nameof(name));

    /// <summary>A few-shot image folder: a valid class, and a class holding the input (named by its signature: .png, .jpg or .bmp).</summary>
    private static void ReadFolder(byte[] input, string work)
    {
        string root = Path.Combine(work, "folder");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        WriteFile(root, "a/1.png", TestImages.Png(3, 3, Seeds.Pattern(9)));
        string extension = input.Length > 1 && input[0] == 0xFF && input[1] == 0xD8 ? ".jpg" : input.Length > 1 && input[0] == 'B' && input[1] == 'M' ? ".bmp" : ".png";
        WriteFile(root, "b/1" + extension, input);
        ImageFolder.Load(root, size: 6, grayscale: false);
    }

    private static string WriteFile(string folder, string name, byte[] data)
    {
        string path = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    private static bool IsGzip(byte[] data) => data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B;

    /// <summary>Recomputes every whole chunk's CRC, so a mutated PNG reaches the chunk parser and the decoder.</summary>
    internal static byte[] FixPngCrcs(byte[] png)
    {
        byte[] data = (byte[])png.Clone();
        int position = 8;
        while (data.Length - position >= 12)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position));
            if (length > (uint)(data.Length - position - 12))
            {
                break;
            }

            uint crc = Crc32.Of(data.AsSpan(position + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(position + 8 + (int)length), crc);
            position += 12 + (int)length;
        }

        return data;
    }
}
