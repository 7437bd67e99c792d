namespace SharpShot.Data;

/// <summary>
/// Fashion-MNIST (Zalando, MIT licence): 60,000 training and 10,000 test greyscale 28 x 28 images of
/// clothing in 10 classes, stored as the four original IDX files, raw or gzip-compressed. SharpShot never
/// downloads it; <see cref="Locate(string)"/> finds a copy on disk.
/// </summary>
public static class FashionMnist
{
    /// <summary>Name of the folder that holds the files under <see cref="DataPaths.EnvironmentVariable"/> or <see cref="DataPaths.SystemDatasetsDirectory"/>.</summary>
    public const string FolderName = "fashion-mnist";

    /// <summary>Height and width of every image.</summary>
    public const int ImageSize = 28;

    /// <summary>The training images file name, without the optional <c>.gz</c> suffix.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte";

    /// <summary>The training labels file name, without the optional <c>.gz</c> suffix.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte";

    /// <summary>The test images file name, without the optional <c>.gz</c> suffix.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte";

    /// <summary>The test labels file name, without the optional <c>.gz</c> suffix.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte";

    /// <summary>The folder the Debian/Ubuntu package <c>dataset-fashion-mnist</c> installs the files into.</summary>
    public static string SystemDirectory { get; } = DataPaths.SystemDatasetsDirectory + "/" + FolderName;

    /// <summary>The ten class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        Array.AsReadOnly(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>The four file names a Fashion-MNIST folder holds, each as it is or with a <c>.gz</c> suffix.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        Array.AsReadOnly([TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile]);

    /// <summary>
    /// Finds a folder holding the four Fashion-MNIST files. Looks, in order, in <paramref name="explicitPath"/>;
    /// else in the folder named by the <c>SHARPSHOT_DATA</c> environment variable or its <c>fashion-mnist</c>
    /// subfolder; else in <see cref="SystemDirectory"/>.
    /// </summary>
    /// <param name="explicitPath">A folder the user named. When given, it must hold the files: a wrong path is an error, never a reason to look elsewhere.</param>
    /// <returns>The full path of the folder, or null when no folder was given and none was found.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="explicitPath"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><paramref name="explicitPath"/> lacks some of the files; the message lists which.</exception>
    public static string? Locate(string? explicitPath = null) =>
        Locate(explicitPath, Environment.GetEnvironmentVariable(DataPaths.EnvironmentVariable), SystemDirectory);

    /// <summary>
    /// Reads the training and test sets from <paramref name="directory"/>, with sample shape (1, 28, 28),
    /// pixels scaled by <see cref="InputScaling.PixelsToUnitRange"/> and <see cref="ClassNames"/>.
    /// </summary>
    /// <param name="directory">A folder holding the four files, e.g. as returned by <see cref="Locate(string)"/>.</param>
    /// <returns>The 60,000-image training set and the 10,000-image test set (or whatever counts the files hold).</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">Some of the files are missing; the message lists which.</exception>
    /// <exception cref="IdxFormatException">A file is corrupt, its images are not 28 x 28 ubyte, a label is not below 10, or a labels file's count differs from its images file's; the message names the file.</exception>
    public static (Dataset Train, Dataset Test) Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string folder = RequireFiles(directory);
        string trainImages = DataPaths.FindFile(folder, TrainImagesFile)!;
        string trainLabels = DataPaths.FindFile(folder, TrainLabelsFile)!;
        string testImages = DataPaths.FindFile(folder, TestImagesFile)!;
        string testLabels = DataPaths.FindFile(folder, TestLabelsFile)!;

        // Decompression dominates the load time and runs on one core per file, so read the test set
        // alongside the training set.
        Task<Dataset> test = Task.Run(() => LoadSplit(testImages, testLabels));
        Dataset train;
        try
        {
            train = LoadSplit(trainImages, trainLabels);
        }
        catch
        {
            // Let the test load finish before reporting the training set's error, so nothing keeps
            // reading files (and allocating) after Load has returned; its own outcome no longer matters.
            Task.WhenAny(test).GetAwaiter().GetResult();
            throw;
        }

        return (train, test.GetAwaiter().GetResult());
    }

    /// <summary>
    /// <see cref="Locate(string)"/> with the environment variable's value and the system folder passed in,
    /// so tests can exercise the search order without depending on the machine.
    /// </summary>
    internal static string? Locate(string? explicitPath, string? dataRoot, string systemDirectory)
    {
        if (explicitPath is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(explicitPath);
            return RequireFiles(explicitPath);
        }

        if (!string.IsNullOrWhiteSpace(dataRoot))
        {
            // SHARPSHOT_DATA may be a root holding several data sets, so a root without Fashion-MNIST is not an
            // error: the search continues.
            foreach (string candidate in new[] { dataRoot, Path.Combine(dataRoot, FolderName) })
            {
                if (HoldsFiles(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return HoldsFiles(systemDirectory) ? Path.GetFullPath(systemDirectory) : null;
    }

    private static Dataset LoadSplit(string imagesPath, string labelsPath) =>
        IdxImageSet.Load(imagesPath, labelsPath, ClassNames, InputScaling.PixelsToUnitRange, (ImageSize, ImageSize));

    private static bool HoldsFiles(string directory) =>
        Directory.Exists(directory) && FileNames.All(name => DataPaths.FindFile(directory, name) is not null);

    /// <summary>The full path of <paramref name="directory"/>, after checking that it holds all four files.</summary>
    private static string RequireFiles(string directory)
    {
        string folder = Path.GetFullPath(directory);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST folder '{folder}' does not exist; expected a folder holding {string.Join(", ", FileNames)} (each optionally .gz).");
        }

        string[] missing = FileNames.Where(name => DataPaths.FindFile(folder, name) is null).ToArray();
        if (missing.Length == 0)
        {
            return folder;
        }

        string nested = Path.Combine(folder, FolderName);
        string hint = HoldsFiles(nested) ? $" The subfolder '{nested}' holds them: pass that folder instead." : string.Empty;
        string problem = missing.Length == FileNames.Count
            ? $"holds none of the files {string.Join(", ", FileNames)} (each optionally .gz)."
            : $"lacks {string.Join(", ", missing.Select(name => $"{name} (or {name}.gz)"))}; expected all of {string.Join(", ", FileNames)}.";
        throw new FileNotFoundException($"Fashion-MNIST folder '{folder}' {problem}{hint}", Path.Combine(folder, missing[0]));
    }
}
