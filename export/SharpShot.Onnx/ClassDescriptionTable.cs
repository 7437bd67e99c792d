using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace SharpShot.Onnx;

/// <summary>
/// A CSV table of class descriptions for zero-shot models — a header <c>class,&lt;attribute&gt;,…</c>, then one row per class
/// with its name and one number per attribute — as read by training (<c>ClassAttributes.Load</c>) and by apps and the tool
/// that fit classes from descriptions (<c>FewShotClassifier.FitDescriptions</c>, whose model names its attributes in
/// <see cref="SharpShotMetadata.AttributeNames"/>). Immutable.
/// </summary>
public sealed class ClassDescriptionTable
{
    // A table describes classes, not samples: a few kilobytes; a larger file is not one.
    private const long MaxFileBytes = 16 << 20;

    private ClassDescriptionTable(string[] attributeNames, List<(string Name, float[] Values)> rows)
    {
        AttributeNames = Array.AsReadOnly(attributeNames);
        ClassNames = Array.AsReadOnly(rows.Select(r => r.Name).ToArray());
        Rows = rows.ToDictionary(r => r.Name, r => r.Values, StringComparer.Ordinal);
    }

    /// <summary>The attribute columns, in file order.</summary>
    public ReadOnlyCollection<string> AttributeNames { get; }

    /// <summary>The described classes, in file order.</summary>
    public ReadOnlyCollection<string> ClassNames { get; }

    private Dictionary<string, float[]> Rows { get; }

    /// <summary>The values of <paramref name="className"/>, in <see cref="AttributeNames"/> order (a copy).</summary>
    /// <exception cref="KeyNotFoundException">The class is not in the table.</exception>
    public float[] ValuesOf(string className) => (float[])Rows[className].Clone();

    /// <summary>
    /// Every class's values in the order of <paramref name="attributeNames"/> (a model's), one class after another in
    /// <see cref="ClassNames"/> order: the columns matched by name, whatever their order in the file.
    /// </summary>
    /// <exception cref="InvalidDataException">The table lacks one of the attributes, or has one the model does not know; the message names them.</exception>
    public float[] ValuesFor(IReadOnlyList<string> attributeNames)
    {
        ArgumentNullException.ThrowIfNull(attributeNames);
        string[] missing = [.. attributeNames.Where(a => !AttributeNames.Contains(a))];
        string[] unknown = [.. AttributeNames.Where(a => !attributeNames.Contains(a))];
        if (missing.Length > 0 || unknown.Length > 0)
        {
            throw new InvalidDataException(
                $"The descriptions' attributes do not match the model's ({string.Join(", ", attributeNames)})" +
                (missing.Length > 0 ? $"; missing: {string.Join(", ", missing)}" : string.Empty) +
                (unknown.Length > 0 ? $"; not the model's: {string.Join(", ", unknown)}" : string.Empty) + ".");
        }

        int[] column = [.. attributeNames.Select(a => AttributeNames.IndexOf(a))];
        var values = new float[checked(ClassNames.Count * column.Length)];
        for (int c = 0; c < ClassNames.Count; c++)
        {
            float[] row = Rows[ClassNames[c]];
            for (int a = 0; a < column.Length; a++)
            {
                values[c * column.Length + a] = row[column[a]];
            }
        }

        return values;
    }

    /// <summary>
    /// Reads a table: a header <c>class,&lt;attribute&gt;,…</c>, then one row per class with its name and one number per
    /// attribute (invariant culture). Blank lines and lines starting with <c>#</c> are skipped; a field may be double-quoted
    /// (a class name with a comma).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not such a table (too large, a bad header, a row of another width, an empty or repeated class, a value that is not a finite number, a duplicate or empty attribute name); the message names the file and the line.</exception>
    public static ClassDescriptionTable Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Class attribute table '{fullPath}' does not exist.", fullPath);
        }

        var info = new FileInfo(fullPath);
        if (info.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"Class attribute table '{fullPath}' is {info.Length:N0} bytes; a table is at most {MaxFileBytes:N0}.");
        }

        string[]? header = null;
        var rows = new List<(string Name, float[] Values)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(fullPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            string[] fields = SplitCsv(line, fullPath, lineNumber);
            if (header is null)
            {
                if (fields.Length < 2)
                {
                    throw new InvalidDataException($"'{fullPath}' line {lineNumber}: the header needs a class column and at least one attribute; got {fields.Length} field(s).");
                }

                string[] names = fields[1..];
                if (Array.IndexOf(names, string.Empty) is >= 0 and int empty)
                {
                    throw new InvalidDataException($"'{fullPath}' line {lineNumber}: attribute {empty + 1} has no name.");
                }

                if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                {
                    throw new InvalidDataException($"'{fullPath}' line {lineNumber}: attribute '{twice.Key}' is named twice.");
                }

                header = fields;
                continue;
            }

            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"'{fullPath}' line {lineNumber}: expected {header.Length} fields (a class and {header.Length - 1} attributes); got {fields.Length}.");
            }

            string className = fields[0];
            if (className.Length == 0 || !seen.Add(className))
            {
                throw new InvalidDataException($"'{fullPath}' line {lineNumber}: {(className.Length == 0 ? "the class name is empty" : $"class '{className}' is described twice")}.");
            }

            var vector = new float[header.Length - 1];
            for (int i = 0; i < vector.Length; i++)
            {
                if (!float.TryParse(fields[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[i]) || !float.IsFinite(vector[i]))
                {
                    throw new InvalidDataException($"'{fullPath}' line {lineNumber}: attribute '{header[i + 1]}' of '{className}' is '{fields[i + 1]}', not a finite number.");
                }
            }

            rows.Add((className, vector));
        }

        if (header is null || rows.Count == 0)
        {
            throw new InvalidDataException($"'{fullPath}' describes no class: expected a header 'class,<attribute>,…' and one row per class.");
        }

        return new ClassDescriptionTable(header[1..], rows);
    }

    private static string[] SplitCsv(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"'{path}' line {lineNumber}: a quoted field is not closed.");
        }

        fields.Add(field.ToString().Trim());
        return [.. fields];
    }
}
