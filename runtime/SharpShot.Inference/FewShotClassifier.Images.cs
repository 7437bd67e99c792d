using SharpShot.Imaging;

namespace SharpShot.Inference;

/// <summary>
/// The image API of the few-shot classifier: support and query images go through the embedding's
/// <see cref="OnnxModel.ImageInput"/> contract (decoded, converted to grey or colour, resized by area averaging,
/// scaled as in training), so an app fits and classifies from image files or decoded pixels.
/// </summary>
public sealed partial class FewShotClassifier
{
    /// <summary>File name extensions <see cref="FitImageFolder"/> reads as images, compared without regard to case.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Fits on image files, one class name per file (see <see cref="Fit(ReadOnlySpan{float}, IReadOnlyList{string})"/>).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    /// <exception cref="InvalidOperationException">The embedding does not describe an image input.</exception>
    /// <exception cref="ImageDecodeException">A file is not a decodable image or exceeds the limits; the message names it.</exception>
    public void FitImages(IReadOnlyList<string> imagePaths, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentNullException.ThrowIfNull(labels);
        if (imagePaths.Count != labels.Count)
        {
            throw new ArgumentException($"Expected one label per image; got {imagePaths.Count} images and {labels.Count} labels.", nameof(labels));
        }

        if (imagePaths.Count == 0)
        {
            throw new ArgumentException("The support set is empty; pass at least one image.", nameof(imagePaths));
        }

        Fit(_embedding.ImagesToInputs(imagePaths), labels);
    }

    /// <summary>Adds image files as examples, one class name per file (see <see cref="AddExamples"/>): known classes grow, new names become classes.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    /// <exception cref="InvalidOperationException">The embedding does not describe an image input.</exception>
    /// <exception cref="ImageDecodeException">A file is not a decodable image or exceeds the limits; the message names it.</exception>
    public void AddImages(IReadOnlyList<string> imagePaths, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentNullException.ThrowIfNull(labels);
        if (imagePaths.Count != labels.Count || imagePaths.Count == 0)
        {
            throw new ArgumentException($"Expected one or more images with one label each; got {imagePaths.Count} images and {labels.Count} labels.", nameof(labels));
        }

        AddExamples(_embedding.ImagesToInputs(imagePaths), labels);
    }

    /// <summary>The class of an image file, or null ("unknown") when it is farther than <see cref="RejectionDistance"/> from every prototype.</summary>
    public string? ClassifyImageOrUnknown(string path) => ClassifyLabelOrUnknown(ImageToInput(path));

    /// <summary>
    /// Fits on a folder of class sub-folders (<c>root/&lt;class&gt;/&lt;image&gt;</c>, the layout of torchvision's
    /// <c>ImageFolder</c>): each sub-folder is a class named after it, each file with an <see cref="ImageExtensions"/>
    /// extension one support image. Classes and files are taken in ordinal name order.
    /// </summary>
    /// <returns>The number of support images read.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">The folder has no class sub-folder holding an image; the message names the folder.</exception>
    /// <exception cref="ImageDecodeException">A file is not a decodable image or exceeds the limits.</exception>
    public int FitImageFolder(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var (paths, labels) = ListImageFolder(root);
        FitImages(paths, labels);
        return paths.Count;
    }

    /// <summary>The image files of a folder of class sub-folders with their class names, as <see cref="FitImageFolder"/> reads them.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ArgumentException">No class sub-folder holds an image.</exception>
    public static (IReadOnlyList<string> Paths, IReadOnlyList<string> Labels) ListImageFolder(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The image folder '{full}' does not exist.");
        }

        var paths = new List<string>();
        var labels = new List<string>();
        foreach (string classFolder in Directory.GetDirectories(full).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(classFolder);
            foreach (string file in Directory.GetFiles(classFolder).Where(IsImageFile).Order(StringComparer.Ordinal))
            {
                paths.Add(file);
                labels.Add(label);
            }
        }

        if (paths.Count == 0)
        {
            throw new ArgumentException(
                $"The folder '{full}' has no class sub-folder holding an image ({string.Join(", ", ImageExtensions)}); expected root/<class>/<image>.", nameof(root));
        }

        return (paths, labels);
    }

    /// <summary>Whether the file name has one of the <see cref="ImageExtensions"/>.</summary>
    public static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>The embedding's input for the image file at <paramref name="path"/> (see <see cref="OnnxModel.ImageToInput(string)"/>).</summary>
    public float[] ImageToInput(string path) => _embedding.ImageToInput(path);

    /// <summary>The embedding's input for decoded pixels.</summary>
    public float[] ImageToInput(PixelBuffer pixels) => _embedding.ImageToInput(pixels);

    /// <summary>The class name of the image file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted, or the embedding does not describe an image input.</exception>
    /// <exception cref="ImageDecodeException">The file is not a decodable image or exceeds the limits.</exception>
    public string ClassifyImage(string path) => ClassifyLabel(ImageToInput(path));

    /// <summary>The class name of an encoded image (PNG, JPEG or BMP bytes).</summary>
    public string ClassifyImage(ReadOnlySpan<byte> encodedImage) => ClassifyLabel(_embedding.ImageToInput(encodedImage));

    /// <summary>The class name of decoded pixels.</summary>
    public string ClassifyImage(PixelBuffer pixels) => ClassifyLabel(ImageToInput(pixels));
}
