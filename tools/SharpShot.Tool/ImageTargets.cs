using SharpShot.Inference;

namespace SharpShot.Tool;

/// <summary>An image to classify and, when it sits in a class sub-folder, the class it should get.</summary>
internal sealed record ImageTarget(string Path, string? Expected);

/// <summary>
/// Expands <c>FILE|DIR</c> arguments: a file is itself; a folder gives its images (<c>.png .jpg .jpeg .bmp</c>) and
/// those of its sub-folders, each labelled with its sub-folder's name (<c>root/&lt;class&gt;/&lt;image&gt;</c>), in
/// ordinal name order.
/// </summary>
internal static class ImageTargets
{
    public static IReadOnlyList<ImageTarget> Expand(IEnumerable<string> arguments)
    {
        var targets = new List<ImageTarget>();
        foreach (string argument in arguments)
        {
            string full = System.IO.Path.GetFullPath(argument);
            if (File.Exists(full))
            {
                targets.Add(new ImageTarget(full, null));
            }
            else if (Directory.Exists(full))
            {
                int before = targets.Count;
                targets.AddRange(Images(full).Select(f => new ImageTarget(f, null)));
                foreach (string classFolder in Directory.GetDirectories(full).Order(StringComparer.Ordinal))
                {
                    string label = System.IO.Path.GetFileName(classFolder);
                    targets.AddRange(Images(classFolder).Select(f => new ImageTarget(f, label)));
                }

                if (targets.Count == before)
                {
                    throw new ToolFailure($"The folder '{full}' holds no images ({string.Join(" ", FewShotClassifier.ImageExtensions)}), directly or in class sub-folders.");
                }
            }
            else
            {
                throw new FileNotFoundException($"The image file or folder '{full}' does not exist.", full);
            }
        }

        return targets;
    }

    private static IEnumerable<string> Images(string folder) =>
        Directory.GetFiles(folder).Where(FewShotClassifier.IsImageFile).Order(StringComparer.Ordinal);
}
