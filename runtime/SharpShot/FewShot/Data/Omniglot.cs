using System.IO.Compression;
using SharpShot.Data;

namespace SharpShot.FewShot;

/// <summary>
/// Omniglot (Lake, Salakhutdinov and Tenenbaum; MIT licence): handwritten characters of 50 alphabets, each drawn
/// by 20 people as a 105 x 105 black-on-white PNG. Reads the original distribution,
/// <c>&lt;set&gt;/&lt;Alphabet&gt;/characterNN/NNNN_MM.png</c>, straight from its zip files
/// (<c>images_background.zip</c>, <c>images_evaluation.zip</c>, <c>images_background_small1.zip</c>, ...) or from
/// unpacked folders. SharpShot never downloads it; <see cref="Locate(string)"/> finds a copy on disk.
/// </summary>
/// <remarks>
/// Each character is one class, named <c>Alphabet/characterNN</c>, in the group <c>Alphabet</c>. Images are
/// inverted (strokes 1, background 0) and resized by area averaging, as few-shot papers do; add
/// <see cref="WithRotations"/> for the usual rotated classes.
/// </remarks>
public static class Omniglot
{
    /// <summary>Name of the folder that holds the files under <see cref="DataPaths.EnvironmentVariable"/>.</summary>
    public const string FolderName = "omniglot";

    /// <summary>Default side of the resized images: 28, as in most few-shot papers.</summary>
    public const int DefaultSize = 28;

    /// <summary>Side of the original images, in pixels.</summary>
    public const int OriginalSize = 105;

    /// <summary>The layout Omniglot sources have, for messages and documentation.</summary>
    public const string ExpectedLayout =
        "<set>/<Alphabet>/<character>/<drawing>.png, e.g. images_background/Greek/character05/0398_01.png";

    /// <summary>The rotations <see cref="WithRotations"/> adds, in degrees counter-clockwise.</summary>
    public static IReadOnlyList<int> Rotations { get; } = Array.AsReadOnly([90, 180, 270]);

    // Zip files a folder source contributes: the original distribution's names.
    private static readonly string[] ZipPrefixes = ["images_background", "images_evaluation"];

    // A folder's zip files, matched case-insensitively on every platform; hidden files skipped.
    private static readonly EnumerationOptions ZipFiles = new() { MatchCasing = MatchCasing.CaseInsensitive };

    /// <summary>
    /// Loads Omniglot from one or more sources at the default size (<see cref="DefaultSize"/>); see
    /// <see cref="Load(IEnumerable{string}, int, ImageLoadOptions)"/>.
    /// </summary>
    /// <param name="sources">Zip files and/or folders, e.g. <c>images_background_small1.zip</c> and <c>images_background_small2.zip</c>.</param>
    /// <returns>The characters as classes, sample shape (1, 28, 28).</returns>
    /// <exception cref="ArgumentException">No source was given, or one is empty.</exception>
    /// <exception cref="FileNotFoundException">A zip file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="FewShotDataException">A zip file or image is corrupt, or a source lacks the expected layout; the message names the file (and entry).</exception>
    public static FewShotDataset Load(params string[] sources) => Load((IEnumerable<string>)sources, DefaultSize);

    /// <summary>
    /// Loads Omniglot from one or more sources: each character becomes a class named <c>Alphabet/character</c> in the
    /// group <c>Alphabet</c>, its drawings (sorted by file name) its samples, each inverted (strokes 1, background 0)
    /// and resized to <paramref name="size"/> x <paramref name="size"/> by area averaging (values in [0, 1]).
    /// </summary>
    /// <param name="sources">
    /// Zip files and/or folders, read in this order. A zip file holds entries laid out as
    /// <see cref="ExpectedLayout"/> (any leading folders are allowed; entries are read in place, nothing is
    /// extracted). A folder is either one unpacked set (<c>&lt;Alphabet&gt;/&lt;character&gt;/&lt;drawing&gt;.png</c>),
    /// or a folder holding unpacked sets and/or the original zip files (<c>images_background*.zip</c>,
    /// <c>images_evaluation*.zip</c>; a zip whose unpacked folder of the same name sits beside it is skipped).
    /// </param>
    /// <param name="size">Side of the resized images, in pixels.</param>
    /// <param name="options">
    /// Bounds on each drawing and on the pixels decoded at once; <see cref="ImageLoadOptions.Default"/> when null.
    /// </param>
    /// <returns>
    /// The characters as classes, sample shape (1, <paramref name="size"/>, <paramref name="size"/>), in source order
    /// and, within a source, sorted by set, alphabet and character. A character (alphabet + character folder) found
    /// again in a later source or set is skipped: the small background sets, for example, both hold Greek and Latin.
    /// </returns>
    /// <exception cref="ArgumentException">No source was given, or one is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/>' bounds disagree (<see cref="ImageLoadOptions.MaxPixelsInFlight"/> below <see cref="ImageLoadOptions.Limits"/>' pixels).</exception>
    /// <exception cref="FileNotFoundException">A zip file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="FewShotDataException">
    /// A zip file or image is corrupt, a source lacks the expected layout, a drawing exceeds <paramref name="options"/>'
    /// limits, or a character found again holds other drawings than the first copy; the message names the file (and entry).
    /// </exception>
    public static FewShotDataset Load(IEnumerable<string> sources, int size = DefaultSize, ImageLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        options ??= ImageLoadOptions.Default;
        options.Validate(nameof(options));
        string[] paths = sources.ToArray();
        if (paths.Length == 0)
        {
            throw new ArgumentException(
                "Name at least one Omniglot source: a zip file (e.g. images_background.zip) or a folder; Omniglot.Locate() finds one on disk.",
                nameof(sources));
        }

        foreach (string path in paths)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path, nameof(sources));
        }

        var characters = new List<CharacterFolder>();
        foreach (string path in paths)
        {
            characters.AddRange(ReadSource(path));
        }

        return Decode(Deduplicate(characters), size, options);
    }

    /// <summary>
    /// Adds, after each class, its copies rotated by 90, 180 and 270 degrees counter-clockwise as new classes named
    /// <c>name@90</c>, <c>name@180</c>, <c>name@270</c> in the same group (the augmentation of Santoro et al. 2016
    /// and most few-shot papers since). Works on any dataset whose samples end in two equal dimensions, e.g. (1, 28, 28).
    /// </summary>
    /// <param name="dataset">The dataset to augment; it is not changed.</param>
    /// <returns>A dataset with four times as many classes.</returns>
    /// <exception cref="ArgumentException">The samples are not square images, or the dataset already holds rotated classes.</exception>
    public static FewShotDataset WithRotations(FewShotDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        IReadOnlyList<int> shape = dataset.SampleShape;
        if (shape.Count < 2 || shape[^1] != shape[^2])
        {
            throw new ArgumentException(
                $"Rotations need square images: samples whose last two dimensions are equal; got [{string.Join(", ", shape)}].", nameof(dataset));
        }

        FewShotClass? rotated = dataset.Classes.FirstOrDefault(c => Rotations.Any(r => c.Name.EndsWith("@" + r, StringComparison.Ordinal)));
        if (rotated is not null)
        {
            throw new ArgumentException($"The dataset already holds rotated classes (e.g. '{rotated.Name}'); rotate the original dataset once.", nameof(dataset));
        }

        int side = shape[^1];
        int plane = side * side;
        int[][] maps = [RotationMap(side, 1), RotationMap(side, 2), RotationMap(side, 3)];
        var classes = new List<FewShotClass>(dataset.Classes.Count * 4);
        foreach (FewShotClass c in dataset.Classes)
        {
            classes.Add(c);
            for (int quarter = 1; quarter <= 3; quarter++)
            {
                int[] map = maps[quarter - 1];
                float[] source = c.Samples;
                var samples = new float[source.Length];
                for (int offset = 0; offset < samples.Length; offset += plane)
                {
                    for (int i = 0; i < plane; i++)
                    {
                        samples[offset + i] = source[offset + map[i]];
                    }
                }

                classes.Add(new FewShotClass($"{c.Name}@{quarter * 90}", c.Group, samples, c.SampleLength));
            }
        }

        return new FewShotDataset(shape, classes, dataset.Scaling);
    }

    /// <summary>
    /// Finds Omniglot on disk. Looks, in order, at <paramref name="explicitPath"/>; else in the
    /// <c>omniglot</c> subfolder of the folder named by the <c>SHARPSHOT_DATA</c> environment variable, or that
    /// folder itself, when it holds the original zip files or unpacked sets (<c>images_background*</c>,
    /// <c>images_evaluation*</c>).
    /// </summary>
    /// <param name="explicitPath">
    /// A zip file, or a folder holding the zip files or unpacked sets, that the user named. When given, it must hold
    /// Omniglot: a wrong path is an error, never a reason to look elsewhere.
    /// </param>
    /// <returns>The full path to pass to <see cref="Load(string[])"/>, or null when no path was given and none was found.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="explicitPath"/> names a <c>.zip</c> file that does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="explicitPath"/> does not exist.</exception>
    /// <exception cref="FewShotDataException"><paramref name="explicitPath"/> is a file that is not a zip file, or a folder without Omniglot data.</exception>
    public static string? Locate(string? explicitPath = null) =>
        Locate(explicitPath, Environment.GetEnvironmentVariable(DataPaths.EnvironmentVariable));

    /// <summary><see cref="Locate(string)"/> with the environment variable's value passed in, so tests can exercise the search order.</summary>
    internal static string? Locate(string? explicitPath, string? dataRoot)
    {
        if (explicitPath is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(explicitPath);
            string full = Path.GetFullPath(explicitPath);
            if (File.Exists(full))
            {
                if (!LooksLikeZip(full))
                {
                    throw new FewShotDataException(full, null, "not a zip file; expected an Omniglot zip file (e.g. images_background.zip) or a folder holding them.");
                }

                return full;
            }

            if (!Directory.Exists(full))
            {
                throw Missing(full);
            }

            if (HoldsOmniglot(full, namedOnly: false))
            {
                return full;
            }

            string nested = Path.Combine(full, FolderName);
            string hint = Directory.Exists(nested) && HoldsOmniglot(nested, namedOnly: false) ? $" The subfolder '{nested}' holds it: pass that folder instead." : string.Empty;
            throw new FewShotDataException(
                full, null, $"the folder holds no Omniglot data; expected images_background*.zip or images_evaluation*.zip files, or unpacked sets laid out as {ExpectedLayout}.{hint}");
        }

        if (!string.IsNullOrWhiteSpace(dataRoot))
        {
            // SHARPSHOT_DATA may be a root holding several data sets: only Omniglot's own file and folder names count
            // there, so that another image data set in the root is not mistaken for it.
            foreach (string candidate in new[] { Path.Combine(dataRoot, FolderName), dataRoot })
            {
                if (Directory.Exists(candidate) && HoldsOmniglot(candidate, namedOnly: true))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    /// <summary>One character folder found in a source, with its drawings sorted by file name.</summary>
    private sealed record CharacterFolder(string Origin, string SortKey, string Alphabet, string Character, List<Drawing> Drawings)
    {
        public string Name => $"{Alphabet}/{Character}";
    }

    /// <summary>A drawing: a file on disk, or the entry <see cref="Entry"/> of the zip file <see cref="Path"/>.</summary>
    private sealed record Drawing(string FileName, string Path, string? Entry);

    private static Exception Missing(string full) =>
        full.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
            ? new FileNotFoundException($"Omniglot zip file '{full}' does not exist.", full)
            : new DirectoryNotFoundException(
                $"Omniglot source '{full}' does not exist; expected a zip file (e.g. images_background.zip) or a folder holding zip files or unpacked sets ({ExpectedLayout}).");

    private static IEnumerable<CharacterFolder> ReadSource(string path)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return ReadZip(full);
        }

        if (Directory.Exists(full))
        {
            return ReadFolder(full);
        }

        throw Missing(full);
    }

    /// <summary>Lists the character folders of a zip file from its directory; the drawings are read later, in parallel.</summary>
    private static List<CharacterFolder> ReadZip(string zipPath)
    {
        ZipArchiveEntry[] entries;
        using ZipArchive archive = ImageDecoding.OpenZip(zipPath);
        try
        {
            entries = archive.Entries.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new FewShotDataException(zipPath, null, $"the zip file's directory is corrupt ({e.Message}).", e);
        }

        var folders = new Dictionary<(string Prefix, string Alphabet, string Character), CharacterFolder>();
        foreach (ZipArchiveEntry entry in entries)
        {
            string name = entry.FullName.Replace('\\', '/');
            string[] parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (name.EndsWith('/') || parts.Length == 0 || parts.Any(IsIgnored) || !IsPng(parts[^1]))
            {
                continue;
            }

            if (parts.Length < 3)
            {
                throw new FewShotDataException(
                    zipPath, entry.FullName, $"the drawing is not inside an alphabet and a character folder; expected entries laid out as {ExpectedLayout}.");
            }

            string prefix = string.Join('/', parts[..^3]);
            var key = (prefix, parts[^3], parts[^2]);
            if (!folders.TryGetValue(key, out CharacterFolder? folder))
            {
                folder = new CharacterFolder(zipPath, Path.GetFileNameWithoutExtension(zipPath) + "/" + prefix, parts[^3], parts[^2], []);
                folders.Add(key, folder);
            }

            folder.Drawings.Add(new Drawing(parts[^1], zipPath, entry.FullName));
        }

        if (folders.Count == 0)
        {
            throw new FewShotDataException(zipPath, null, $"the zip file holds no PNG drawings; expected entries laid out as {ExpectedLayout}.");
        }

        return Sorted(folders.Values);
    }

    private static List<CharacterFolder> ReadFolder(string folderPath)
    {
        var result = new List<CharacterFolder>();
        foreach (string zip in Directory.EnumerateFiles(folderPath, "*.zip", ZipFiles).Where(IsOmniglotName).Order(StringComparer.Ordinal))
        {
            // The unpacked copy of this zip sits beside it and is read below.
            if (!Directory.Exists(Path.Combine(folderPath, Path.GetFileNameWithoutExtension(zip))))
            {
                result.AddRange(ReadZip(zip));
            }
        }

        // Drawings three levels down (an unpacked set: Alphabet/character/drawing.png) or four (a folder of sets).
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, MatchCasing = MatchCasing.CaseInsensitive };
        var folders = new Dictionary<(string Set, string Alphabet, string Character), CharacterFolder>();
        string? shallow = null, deep = null;
        foreach (string file in Directory.EnumerateFiles(folderPath, "*.png", options))
        {
            string[] parts = Path.GetRelativePath(folderPath, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (parts.Any(IsIgnored))
            {
                continue;
            }

            if (parts.Length < 3)
            {
                throw new FewShotDataException(
                    file, null, $"the drawing is not inside an alphabet and a character folder; expected a folder laid out as {ExpectedLayout} (or the <set> folder itself).");
            }

            if (parts.Length == 3)
            {
                shallow ??= file;
            }
            else
            {
                deep ??= file;
            }

            string set = parts.Length == 4 ? parts[0] : string.Empty;
            var key = (set, parts[^3], parts[^2]);
            if (!folders.TryGetValue(key, out CharacterFolder? folder))
            {
                string origin = Path.Combine(folderPath, set);
                folder = new CharacterFolder(Path.TrimEndingDirectorySeparator(origin), set, parts[^3], parts[^2], []);
                folders.Add(key, folder);
            }

            folder.Drawings.Add(new Drawing(parts[^1], file, null));
        }

        if (shallow is not null && deep is not null)
        {
            throw new FewShotDataException(
                folderPath, null, $"the folder mixes drawings at two depths ('{shallow}' and '{deep}'); expected either one set, <Alphabet>/<character>/<drawing>.png, or a folder of sets, {ExpectedLayout}.");
        }

        result.AddRange(Sorted(folders.Values));
        if (result.Count == 0)
        {
            string nested = Path.Combine(folderPath, FolderName);
            string hint = Directory.Exists(nested) ? $" The subfolder '{nested}' may hold it: pass that folder instead." : string.Empty;
            throw new FewShotDataException(
                folderPath, null, $"the folder holds no Omniglot data; expected images_background*.zip or images_evaluation*.zip files, or unpacked sets laid out as {ExpectedLayout}.{hint}");
        }

        return result.OrderBy(c => c.SortKey, StringComparer.Ordinal).ThenBy(c => c.Alphabet, StringComparer.Ordinal).ThenBy(c => c.Character, StringComparer.Ordinal).ToList();
    }

    private static List<CharacterFolder> Sorted(IEnumerable<CharacterFolder> folders)
    {
        var list = folders
            .OrderBy(c => c.SortKey, StringComparer.Ordinal)
            .ThenBy(c => c.Alphabet, StringComparer.Ordinal)
            .ThenBy(c => c.Character, StringComparer.Ordinal)
            .ToList();
        foreach (CharacterFolder folder in list)
        {
            folder.Drawings.Sort((a, b) => StringComparer.Ordinal.Compare(a.FileName, b.FileName));
        }

        return list;
    }

    /// <summary>Keeps the first copy of each alphabet + character; later copies must hold the same drawings.</summary>
    private static List<CharacterFolder> Deduplicate(List<CharacterFolder> characters)
    {
        var seen = new Dictionary<string, CharacterFolder>(StringComparer.Ordinal);
        var kept = new List<CharacterFolder>();
        foreach (CharacterFolder c in characters)
        {
            if (!seen.TryGetValue(c.Name, out CharacterFolder? first))
            {
                seen.Add(c.Name, c);
                kept.Add(c);
                continue;
            }

            if (!first.Drawings.Select(d => d.FileName).SequenceEqual(c.Drawings.Select(d => d.FileName), StringComparer.Ordinal))
            {
                throw new FewShotDataException(
                    c.Origin, null,
                    $"character '{c.Name}' is also in '{first.Origin}' but with other drawings ({c.Drawings.Count} files here, {first.Drawings.Count} there); "
                    + "a character found in several sources must be the same character (the copies are de-duplicated by alphabet and character folder).");
            }
        }

        return kept;
    }

    private static FewShotDataset Decode(List<CharacterFolder> characters, int size, ImageLoadOptions options)
    {
        int sampleLength = size * size;
        var classes = new FewShotClass[characters.Count];
        var pending = new List<ImageDecoding.Pending>();
        for (int i = 0; i < characters.Count; i++)
        {
            CharacterFolder c = characters[i];
            var samples = new float[checked(c.Drawings.Count * sampleLength)];
            for (int j = 0; j < c.Drawings.Count; j++)
            {
                Drawing d = c.Drawings[j];
                pending.Add(new ImageDecoding.Pending(d.Path, d.Entry, samples, j * sampleLength));
            }

            classes[i] = new FewShotClass(c.Name, c.Alphabet, samples, sampleLength);
        }

        ImageDecoding.DecodeAll(pending, channels: 1, invert: true, size, options);
        return new FewShotDataset([1, size, size], classes, InputScaling.InvertedPixelsToUnitRange);
    }

    private static bool IsPng(string name) => name.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    // Archive tools' metadata (macOS's __MACOSX/ and ._ files) and hidden files are not drawings.
    private static bool IsIgnored(string part) => part.StartsWith('.') || part.Equals("__MACOSX", StringComparison.OrdinalIgnoreCase);

    private static bool IsOmniglotName(string path)
    {
        string name = Path.GetFileName(path);
        return ZipPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
    }

    private static bool LooksLikeZip(string file)
    {
        Span<byte> magic = stackalloc byte[4];
        using FileStream stream = File.OpenRead(file);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K'
            && ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
    }

    /// <summary>
    /// Whether <paramref name="folder"/> holds Omniglot: the original zip files, or unpacked sets named like them
    /// holding drawings; unless <paramref name="namedOnly"/>, also any drawings laid out as one set or a folder of sets.
    /// </summary>
    private static bool HoldsOmniglot(string folder, bool namedOnly)
    {
        if (Directory.EnumerateFiles(folder, "*.zip", ZipFiles).Any(IsOmniglotName))
        {
            return true;
        }

        var within = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, MatchCasing = MatchCasing.CaseInsensitive };
        if (Directory.EnumerateDirectories(folder).Where(IsOmniglotName).Any(set => Directory.EnumerateFiles(set, "*.png", within).Any()))
        {
            return true;
        }

        if (namedOnly)
        {
            return false;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, MatchCasing = MatchCasing.CaseInsensitive };
        return Directory.EnumerateFiles(folder, "*.png", options)
            .Any(file => Path.GetRelativePath(folder, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Length >= 3);
    }

    /// <summary>
    /// For each pixel of a <paramref name="side"/> x <paramref name="side"/> plane rotated by <paramref name="quarter"/>
    /// x 90 degrees counter-clockwise (as <c>numpy.rot90</c>), the index of the source pixel it takes.
    /// </summary>
    private static int[] RotationMap(int side, int quarter)
    {
        int last = side - 1;
        var map = new int[side * side];
        for (int r = 0; r < side; r++)
        {
            for (int c = 0; c < side; c++)
            {
                map[(r * side) + c] = quarter switch
                {
                    1 => (c * side) + last - r,
                    2 => ((last - r) * side) + last - c,
                    _ => ((last - c) * side) + r,
                };
            }
        }

        return map;
    }
}
