using System.Globalization;

namespace SharpShot.Onnx;

/// <summary>
/// One axis of a tensor shape in an ONNX graph signature: a fixed size (<see cref="Fixed"/>), a named
/// symbolic size such as a dynamic batch (<see cref="Symbolic"/>), or unknown (<see cref="Unknown"/>,
/// which is also the <c>default</c> value).
/// </summary>
public readonly record struct OnnxDimension
{
    private OnnxDimension(long? value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>An axis whose size is not known or not declared.</summary>
    public static OnnxDimension Unknown => default;

    /// <summary>The size of a fixed axis; <see langword="null"/> for symbolic and unknown axes.</summary>
    public long? Value { get; }

    /// <summary>The name of a symbolic axis; <see langword="null"/> for fixed and unknown axes.</summary>
    public string? Symbol { get; }

    /// <summary>Whether the axis has a fixed size (<see cref="Value"/> is set).</summary>
    public bool IsFixed => Value.HasValue;

    /// <summary>Whether the axis is named by a symbol (<see cref="Symbol"/> is set).</summary>
    public bool IsSymbolic => Symbol is not null;

    /// <summary>An axis of a fixed size.</summary>
    /// <param name="value">The size; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public static OnnxDimension Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new OnnxDimension(value, null);
    }

    /// <summary>An axis whose size is given at run time; equal symbols in one graph mean equal sizes.</summary>
    /// <param name="name">The symbol, e.g. <c>"batch"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public static OnnxDimension Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxDimension(null, name);
    }

    /// <summary>A fixed axis of the given size, so shapes can be written as <c>[OnnxDimension.Symbolic("N"), 1, 28, 28]</c>.</summary>
    /// <param name="value">The size; zero or more.</param>
    public static implicit operator OnnxDimension(long value) => Fixed(value);

    /// <summary>The size, the symbol, or <c>?</c> when unknown.</summary>
    public override string ToString() =>
        Value?.ToString(CultureInfo.InvariantCulture) ?? Symbol ?? "?";

    /// <summary>Formats a shape as <c>[N, 1, 28, 28]</c> for messages.</summary>
    public static string Format(IEnumerable<OnnxDimension> shape) => "[" + string.Join(", ", shape) + "]";
}
