using System.Globalization;

namespace SharpShot.Reliability;

/// <summary>A command line that cannot be run; the program prints its message and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary><c>--name value</c> pairs after the command; each read once, and any left unread is an error.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <summary>Reads <c>--name value</c> pairs.</summary>
    /// <exception cref="UsageException">A value without a name, or a name twice.</exception>
    public Options(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3)
            {
                throw new UsageException($"Expected an option such as --steps, got '{name}'.");
            }
            if (!e.MoveNext())
            {
                throw new UsageException($"Option {name} needs a value.");
            }
            if (!_values.TryAdd(name[2..], e.Current))
            {
                throw new UsageException($"Option {name} is given twice.");
            }
        }
    }

    /// <summary>A text option, or <paramref name="fallback"/>.</summary>
    public string Text(string name, string fallback) => _values.Remove(name, out var value) ? value : fallback;

    /// <summary>An optional text option.</summary>
    public string? TextOrNull(string name) => _values.Remove(name, out var value) ? value : null;

    /// <summary>An integer option within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/>.</summary>
    /// <exception cref="UsageException">Not an integer, or out of range.</exception>
    public int Int(string name, int fallback, int min = 0, int max = int.MaxValue)
    {
        if (!_values.Remove(name, out var text))
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be an integer from {min} to {max}; got '{text}'.");
        }
        return value;
    }

    /// <summary>A number option within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/>.</summary>
    /// <exception cref="UsageException">Not a number, or out of range.</exception>
    public double Number(string name, double fallback, double min, double max)
    {
        if (!_values.Remove(name, out var text))
        {
            return fallback;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
        {
            throw new UsageException($"--{name} must be a number from {min} to {max}; got '{text}'.");
        }
        return value;
    }

    /// <summary>Fails on any option no one read.</summary>
    /// <exception cref="UsageException">An unknown option.</exception>
    public void EnsureAllRead()
    {
        if (_values.Count > 0)
        {
            throw new UsageException($"Unknown option(s): {string.Join(", ", _values.Keys.Select(k => "--" + k))}.");
        }
    }
}
