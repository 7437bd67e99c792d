namespace SharpShot.Onnx;

/// <summary>
/// Resolves a path the way the operating system walks it, as <c>realpath(3)</c> does: component by component,
/// replacing every symbolic link (or junction) by its target and applying <c>..</c> to the folder reached so far,
/// not to the text. Comparing such paths tells whether a file really lies inside a folder; comparing the text
/// does not, because a link inside the folder may lead anywhere.
/// </summary>
internal static class RealPath
{
    /// <summary>Links followed before giving up, as Linux does (ELOOP): a cycle of links has no resolution.</summary>
    private const int MaxLinksFollowed = 40;

    /// <summary>
    /// The path with no link, <c>.</c> or <c>..</c> left in it. Components that do not exist are kept as they
    /// are (nothing below them can be a link).
    /// </summary>
    /// <param name="path">An absolute path.</param>
    /// <exception cref="IOException">More than <see cref="MaxLinksFollowed"/> links are met, as in a cycle.</exception>
    public static string Resolve(string path)
    {
        var root = Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(root))
        {
            throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        }
        var pending = new Stack<string>();
        PushComponents(pending, path[root.Length..]);
        var current = root;
        var linksFollowed = 0;
        while (pending.TryPop(out var component))
        {
            if (component == ".")
            {
                continue;
            }
            if (component == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Join(current, component);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++linksFollowed > MaxLinksFollowed)
            {
                throw new IOException($"Resolving '{path}' met more than {MaxLinksFollowed} symbolic links; they probably form a cycle.");
            }
            // The target replaces the link: an absolute one restarts from its root, a relative one continues from the link's folder.
            var targetRoot = Path.GetPathRoot(target);
            if (!string.IsNullOrEmpty(targetRoot))
            {
                current = targetRoot;
                target = target[targetRoot.Length..];
            }
            PushComponents(pending, target);
        }
        return current;
    }

    /// <summary>Whether <paramref name="path"/> lies below <paramref name="folder"/>; both resolved, compared ordinally (never looser than the file system).</summary>
    public static bool IsBelow(string path, string folder)
    {
        var prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>Pushes the components of a relative path so that the first one is popped first.</summary>
    private static void PushComponents(Stack<string> pending, string relativePath)
    {
        var components = relativePath.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (var i = components.Length - 1; i >= 0; i--)
        {
            pending.Push(components[i]);
        }
    }
}
