using System.IO.Compression;

namespace SharpShot.Tests.FewShot.Data;

/// <summary>Builds tiny Omniglot-layout zips and folders: <c>set/Alphabet/characterNN/NNNN_MM.png</c>, 1-bit PNGs.</summary>
internal static class OmniglotFiles
{
    /// <summary>Side of the fixture drawings (the real ones are 105).</summary>
    public const int Side = 20;

    /// <summary>One character folder of the layout: alphabet, character folder name, number of drawings.</summary>
    public sealed record Character(string Alphabet, string Folder, int Drawings);

    /// <summary>
    /// The drawing <paramref name="index"/> of a character, as black-on-white pixels: a filled rectangle whose
    /// position and size depend on the character and the drawing, so that every drawing differs but is the same in
    /// every source.
    /// </summary>
    public static byte[] Pixels(string alphabet, string character, int index)
    {
        int hash = StableHash($"{alphabet}/{character}");
        int x0 = hash % 7, y0 = (hash / 7) % 7, w = 4 + (hash / 49 % 6), h = 4 + index % 8;
        var pixels = new byte[Side * Side];
        Array.Fill(pixels, (byte)255);
        for (int y = y0; y < y0 + h; y++)
        {
            for (int x = x0; x < x0 + w; x++)
            {
                pixels[(y * Side) + x] = 0;
            }
        }

        return pixels;
    }

    /// <summary>File name of drawing <paramref name="index"/>, like the original's <c>0108_01.png</c>.</summary>
    public static string FileName(int index) => $"0{100 + index}_{index + 1:D2}.png";

    public static IEnumerable<(string Path, byte[] Png)> Files(string set, IEnumerable<Character> characters)
    {
        foreach (Character c in characters)
        {
            for (int i = 0; i < c.Drawings; i++)
            {
                string prefix = set.Length == 0 ? string.Empty : set + "/";
                yield return ($"{prefix}{c.Alphabet}/{c.Folder}/{FileName(i)}", TestImages.Png(Side, Side, Pixels(c.Alphabet, c.Folder, i), bitDepth: 1));
            }
        }
    }

    /// <summary>Writes a zip holding <paramref name="set"/>/... (with directory entries, as the originals have).</summary>
    public static string WriteZip(string zipPath, string set, params Character[] characters) => WriteZip(zipPath, Files(set, characters));

    public static string WriteZip(string zipPath, IEnumerable<(string Path, byte[] Data)> files)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(zipPath)!);
        using var archive = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        var folders = new HashSet<string>();
        foreach ((string path, byte[] data) in files)
        {
            string[] parts = path.Split('/');
            for (int i = 1; i < parts.Length; i++)
            {
                string folder = string.Join('/', parts[..i]) + "/";
                if (folders.Add(folder))
                {
                    archive.CreateEntry(folder);
                }
            }

            using Stream stream = archive.CreateEntry(path).Open();
            stream.Write(data);
        }

        return zipPath;
    }

    /// <summary>Writes the files under <paramref name="root"/>.</summary>
    public static string WriteFolder(string root, string set, params Character[] characters)
    {
        foreach ((string path, byte[] data) in Files(set, characters))
        {
            string full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, data);
        }

        return set.Length == 0 ? root : Path.Combine(root, set);
    }

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char ch in text)
        {
            hash = unchecked((hash * 31) + ch);
        }

        return hash & 0x7FFFFFFF;
    }
}
