using System.Collections.ObjectModel;
using System.Globalization;
using SharpShot.Onnx;

namespace SharpShot.FewShot;

/// <summary>
/// Descriptions of classes as attribute vectors — one number per named attribute ("worn on the feet": 1, "has sleeves":
/// 0, …) — for zero-shot learning: a class never seen in training gets its prototype from its description through a
/// learned attribute map (<see cref="MetaLearner(SequentialModel, SequentialModel, ClassAttributes, MetaLearnerOptions?)"/>).
/// Immutable.
/// </summary>
/// <example><code>
/// // fashion-attributes.csv:
/// // class,upper_body,long_sleeves,worn_on_feet
/// // T-shirt/top,1,0,0
/// // Sneaker,0,0,1
/// ClassAttributes attributes = ClassAttributes.Load("fashion-attributes.csv");
/// </code></example>
public sealed class ClassAttributes
{
    private readonly Dictionary<string, float[]> _vectors;

    /// <summary>Creates the table, checking that every vector has one finite value per attribute.</summary>
    /// <param name="attributeNames">The attributes, in vector order; distinct, non-empty names.</param>
    /// <param name="classes">Each class's vector, by class name (as the data set names its classes).</param>
    /// <exception cref="ArgumentException">No attribute or class, a duplicate or empty attribute name, or a vector of another length or with a value that is not finite.</exception>
    public ClassAttributes(IReadOnlyList<string> attributeNames, IReadOnlyDictionary<string, float[]> classes)
    {
        ArgumentNullException.ThrowIfNull(attributeNames);
        ArgumentNullException.ThrowIfNull(classes);
        if (attributeNames.Count == 0)
        {
            throw new ArgumentException("A class description needs at least one attribute.", nameof(attributeNames));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in attributeNames)
        {
            if (string.IsNullOrWhiteSpace(name) || !seen.Add(name))
            {
                throw new ArgumentException($"Attribute names must be distinct and non-empty; got {(string.IsNullOrWhiteSpace(name) ? "an empty one" : $"'{name}' twice")}.", nameof(attributeNames));
            }
        }

        if (classes.Count == 0)
        {
            throw new ArgumentException("The table describes no class.", nameof(classes));
        }

        _vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach ((string className, float[] vector) in classes)
        {
            Check(className, vector, attributeNames.Count);
            _vectors[className] = (float[])vector.Clone();
        }

        AttributeNames = Array.AsReadOnly(attributeNames.ToArray());
        ClassNames = Array.AsReadOnly(classes.Keys.ToArray());
    }

    /// <summary>The attributes, in the order of every vector's values.</summary>
    public ReadOnlyCollection<string> AttributeNames { get; }

    /// <summary>Number of attributes: the length of every vector.</summary>
    public int Count => AttributeNames.Count;

    /// <summary>The described classes.</summary>
    public ReadOnlyCollection<string> ClassNames { get; }

    /// <summary>Whether <paramref name="className"/> is described.</summary>
    public bool Describes(string className) => _vectors.ContainsKey(className);

    /// <summary>The vector of <paramref name="className"/> (a copy).</summary>
    /// <exception cref="ArgumentException">The class is not described; the message lists those that are.</exception>
    public float[] Vector(string className) => (float[])VectorOf(className).Clone();

    /// <summary>
    /// Reads a table from a CSV file: a header <c>class,&lt;attribute&gt;,…</c>, then one row per class with its name and
    /// one number per attribute (invariant culture). Blank lines and lines starting with <c>#</c> are skipped; a field
    /// may be double-quoted (a class name with a comma).
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="FewShotDataException">The file is not such a table; the message names the line.</exception>
    public static ClassAttributes Load(string path)
    {
        ClassDescriptionTable table;
        try
        {
            table = ClassDescriptionTable.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new FewShotDataException(e.Message, e);
        }

        try
        {
            return new ClassAttributes(table.AttributeNames, table.ClassNames.ToDictionary(name => name, table.ValuesOf, StringComparer.Ordinal));
        }
        catch (ArgumentException e)
        {
            throw new FewShotDataException($"'{Path.GetFullPath(path)}': {e.Message}", e);
        }
    }

    /// <summary>The vectors of <paramref name="classNames"/>, one after another (row-major).</summary>
    /// <exception cref="ArgumentException">A class is not described.</exception>
    public float[] Vectors(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var values = new float[checked(classNames.Count * Count)];
        for (int c = 0; c < classNames.Count; c++)
        {
            VectorOf(classNames[c]).CopyTo(values, c * Count);
        }

        return values;
    }

    /// <summary>The table as text that identifies it (a checkpoint's identity): attribute names and every vector.</summary>
    internal string Fingerprint() => string.Join(";", AttributeNames) + "|" + string.Join(";", _vectors.OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => p.Key + "=" + string.Join(",", p.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));


    private float[] VectorOf(string className)
    {
        ArgumentNullException.ThrowIfNull(className);
        return _vectors.TryGetValue(className, out float[]? vector)
            ? vector
            : throw new ArgumentException($"Class '{className}' has no description; described are {string.Join(", ", ClassNames.Select(n => $"'{n}'"))}.", nameof(className));
    }

    private static void Check(string className, float[] vector, int length)
    {
        if (string.IsNullOrEmpty(className))
        {
            throw new ArgumentException("A described class needs a name.");
        }

        if (vector is null || vector.Length != length)
        {
            throw new ArgumentException($"Class '{className}' needs {length} attribute values; got {vector?.Length ?? 0}.");
        }

        int bad = Array.FindIndex(vector, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"Attribute {bad} of class '{className}' is {vector[bad]}; attribute values must be finite.");
        }
    }
}
