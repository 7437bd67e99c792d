using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Layers;

/// <summary>
/// One layer attribute while its rule runs: what the rule reads (arguments, input shape) and how it
/// answers (problems as diagnostics at the attribute, or the output through <see cref="Produces(long[], long, string[])"/>).
/// The input is unknown after an earlier layer failed; the rule then still checks its own
/// arguments, and the shape helpers return false without reporting anything.
/// </summary>
internal sealed class LayerSite
{
    private readonly EquatableArray<int>? _input;
    private readonly LocationInfo? _location;
    private readonly List<DiagnosticInfo> _diagnostics;

    public LayerSite(int position, string declaration, AttributeArguments arguments, EquatableArray<int>? input, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        Position = position;
        Declaration = declaration;
        Arguments = arguments;
        _input = input;
        _location = location;
        _diagnostics = diagnostics;
    }

    /// <summary>1-based position among the model's layers.</summary>
    public int Position { get; }

    /// <summary>The attribute as written, e.g. <c>Conv2d(32, 3)</c>.</summary>
    public string Declaration { get; }

    public AttributeArguments Arguments { get; }

    /// <summary>True once a problem with this layer was reported.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>What the rule produced, or null when it reported a problem or its input was unknown.</summary>
    public LayerOutput? Output { get; private set; }

    /// <summary>The input shape, when known.</summary>
    public bool TryGetInput(out EquatableArray<int> shape)
    {
        shape = _input ?? default;
        return _input is not null;
    }

    /// <summary>The input as (channels, height, width); reports SS0005 for another rank.</summary>
    public bool TryGetImageInput(out int channels, out int height, out int width)
    {
        channels = height = width = 0;
        if (!TryGetInput(out EquatableArray<int> shape))
        {
            return false;
        }

        if (shape.Count != 3)
        {
            Report(DiagnosticDescriptors.NeedsImageInput, Position, Declaration, Shapes.Format(shape));
            return false;
        }

        (channels, height, width) = (shape[0], shape[1], shape[2]);
        return true;
    }

    /// <summary>The input as a vector of features; reports SS0002 for another rank.</summary>
    public bool TryGetVectorInput(out int features)
    {
        features = 0;
        if (!TryGetInput(out EquatableArray<int> shape))
        {
            return false;
        }

        if (shape.Count != 1)
        {
            Report(DiagnosticDescriptors.NeedsFlatInput, Position, Declaration, Shapes.Format(shape));
            return false;
        }

        features = shape[0];
        return true;
    }

    /// <summary>Reports SS0004 unless <paramref name="value"/> is positive.</summary>
    public void RequirePositive(string what, int value) =>
        Require(value > 0, what, "positive", CSharpText.Int(value));

    /// <summary>Reports SS0004 when <paramref name="value"/> is negative.</summary>
    public void RequireNonNegative(string what, int value) =>
        Require(value >= 0, what, "zero or positive", CSharpText.Int(value));

    /// <summary>Reports SS0004 ("{what} must be {constraint}, but is {actual}") unless <paramref name="condition"/> holds.</summary>
    public void Require(bool condition, string what, string constraint, string actual)
    {
        if (!condition)
        {
            Report(DiagnosticDescriptors.OutOfRange, Subject, what, constraint, actual);
        }
    }

    /// <summary>Reports SS0003: a square window of side <paramref name="window"/> does not fit the (padded) spatial size.</summary>
    public void WindowTooLarge(int window, long height, long width, bool padded)
    {
        TryGetInput(out EquatableArray<int> input);
        string size = CSharpText.Int(height) + "x" + CSharpText.Int(width) + (padded ? " padded" : string.Empty);
        Report(DiagnosticDescriptors.WindowTooLarge, Position, Declaration, CSharpText.Int(window) + "x" + CSharpText.Int(window), size, Shapes.Format(input));
    }

    /// <summary>Declares the layer's output.</summary>
    /// <param name="shape">The per-sample output shape; reports SS0004 for a dimension too large for an int.</param>
    /// <param name="parameterCount">Trainable values, as Keras counts them.</param>
    /// <param name="constructorArguments">The runtime layer's constructor arguments after its name, as C# source.</param>
    public void Produces(long[] shape, long parameterCount, params string[] constructorArguments)
    {
        for (int i = 0; i < shape.Length; i++)
        {
            Require(shape[i] <= int.MaxValue, $"output dimension {i + 1}", $"at most {CSharpText.Int(int.MaxValue)}", CSharpText.Int(shape[i]));
        }

        if (!HasErrors)
        {
            Output = new LayerOutput(shape.Select(d => (int)d).ToEquatableArray(), parameterCount, constructorArguments.ToEquatableArray());
        }
    }

    /// <summary>Declares the layer's output.</summary>
    public void Produces(EquatableArray<int> shape, long parameterCount, params string[] constructorArguments) =>
        Produces(shape.Select(d => (long)d).ToArray(), parameterCount, constructorArguments);

    /// <summary>Reports that a size computed for this layer overflowed 64 bits.</summary>
    public void Overflowed() =>
        Require(false, "its parameter count and output size", $"at most {CSharpText.Int(long.MaxValue)}", "larger");

    private string Subject => $"Layer {CSharpText.Int(Position)} '{Declaration}'";

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params object[] arguments)
    {
        HasErrors = true;
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, _location, arguments));
    }
}

/// <summary>A layer's output as its rule states it.</summary>
internal sealed record LayerOutput(EquatableArray<int> Shape, long ParameterCount, EquatableArray<string> ConstructorArguments);
