using SharpShot.Data;

namespace SharpShot.FewShot;

/// <summary>
/// A few-shot dataset from a folder of images, one folder per class — the layout of torchvision's
/// <c>ImageFolder</c>, also nested one level more for grouped classes (<c>root/&lt;group&gt;/&lt;class&gt;/&lt;image&gt;</c>,
/// e.g. an unpacked Omniglot set). PNG, JPEG and BMP files are decoded by a managed decoder.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file extensions read as images (compared case-insensitively); other files are ignored.</summary>
    public static IReadOnlyList<string> Extensions { get; } = Array.AsReadOnly([".png", ".jpg", ".jpeg", ".bmp"]);

    // Skips hidden and system entries (on Unix, names starting with '.'), as the recursive enumeration does.
    private static readonly EnumerationOptions Visible = new();

    /// <summary>
    /// Loads every folder under <paramref name="root"/> that directly holds images as one class: named by its path
    /// relative to <paramref name="root"/> (with <c>/</c> separators, e.g. <c>cat</c> or <c>Greek/character05</c>),
    /// in the group named by its parent's relative path (<c>""</c> for a class folder directly in the root), its
    /// images sorted by file name as samples, each resized to <paramref name="size"/> x <paramref name="size"/> by
    /// area averaging (the aspect ratio is not kept) with values in [0, 1]. Classes are sorted by name. Hidden files
    /// and folders are skipped.
    /// </summary>
    /// <param name="root">The folder holding the class folders.</param>
    /// <param name="size">Side of the resized images, in pixels.</param>
    /// <param name="grayscale">One grey channel (sample shape (1, size, size)) rather than red, green and blue planes ((3, size, size)); transparency is ignored.</param>
    /// <param name="invert">Store 1 − value, e.g. to make dark strokes on a light background 1 on 0.</param>
    /// <param name="options">
    /// Bounds on each image and on the pixels decoded at once; <see cref="ImageLoadOptions.Default"/> (images up to
    /// 4096 x 4096 pixels) when null.
    /// </param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/>' bounds disagree (<see cref="ImageLoadOptions.MaxPixelsInFlight"/> below <see cref="ImageLoadOptions.Limits"/>' pixels).</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="FewShotDataException">
    /// The root holds no class folders with images, an image sits directly in the root, a class folder without
    /// subfolders holds no images, an image cannot be decoded, or an image exceeds <paramref name="options"/>' limits;
    /// the message names the folder or file (and, for a limit, the image's size and the bound).
    /// </exception>
    public static FewShotDataset Load(string root, int size = 28, bool grayscale = true, bool invert = false, ImageLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        options ??= ImageLoadOptions.Default;
        options.Validate(nameof(options));
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Image folder '{full}' does not exist; expected a folder of class folders, <root>/<class>/<image>.png|jpg|bmp.");
        }

        const string Layout = "<root>/<class>/<image> or <root>/<group>/<class>/<image>, images being .png, .jpg, .jpeg or .bmp files";
        string[] rootImages = Images(full);
        if (rootImages.Length > 0)
        {
            throw new FewShotDataException(rootImages[0], null, $"the image is directly in the root folder '{full}'; images belong in class folders: {Layout}.");
        }

        var folders = Directory.EnumerateDirectories(full, "*", new EnumerationOptions { RecurseSubdirectories = true })
            .Select(d => (Path: d, Name: Path.GetRelativePath(full, d).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
        int channels = grayscale ? 1 : 3;
        int sampleLength = checked(channels * size * size);
        var classes = new List<FewShotClass>();
        var pending = new List<ImageDecoding.Pending>();
        foreach ((string path, string name) in folders)
        {
            string[] images = Images(path);
            if (images.Length == 0)
            {
                // A folder of folders is a group; a leaf folder without images is a class with nothing in it.
                if (!Directory.EnumerateDirectories(path, "*", Visible).Any())
                {
                    string[] others = Directory.GetFiles(path, "*", Visible);
                    string what = others.Length == 0 ? "is empty" : $"holds {others.Length} file(s) but no image (e.g. '{Path.GetFileName(others[0])}')";
                    throw new FewShotDataException(path, null, $"the class folder {what}; expected {Layout}.");
                }

                continue;
            }

            var samples = new float[checked(images.Length * sampleLength)];
            for (int i = 0; i < images.Length; i++)
            {
                pending.Add(new ImageDecoding.Pending(images[i], null, samples, i * sampleLength));
            }

            int slash = name.LastIndexOf('/');
            classes.Add(new FewShotClass(name, slash < 0 ? string.Empty : name[..slash], samples, sampleLength));
        }

        if (classes.Count == 0)
        {
            throw new FewShotDataException(full, null, $"the folder holds no class folders with images; expected {Layout}.");
        }

        ImageDecoding.DecodeAll(pending, channels, invert, size, options);
        return new FewShotDataset([channels, size, size], classes, invert ? InputScaling.InvertedPixelsToUnitRange : InputScaling.PixelsToUnitRange);
    }

    /// <summary>The image files directly in <paramref name="folder"/>, sorted by name.</summary>
    private static string[] Images(string folder) =>
        Directory.EnumerateFiles(folder, "*", Visible)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
