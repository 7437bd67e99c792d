using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Layers;

/// <summary>
/// One layer attribute while its rule runs: what the rule reads (arguments, input shape) and how it
/// answers (problems as diagnostics, or the output through <see cref="LayerBuilder.Produces(long[], string[])"/>).
/// The input is unknown after an earlier layer failed, and while a [Block] is checked on its own
/// (blocks are shape-polymorphic); the rule then still checks its own arguments, and the shape helpers
/// return false without reporting anything. Arguments are therefore checked before the input is read.
/// </summary>
internal sealed class LayerSite : LayerBuilder
{
    private readonly EquatableArray<int>? _input;
    private readonly LocationInfo? _location;
    private readonly List<DiagnosticInfo> _diagnostics;

    /// <param name="subject">How messages name the layer: <c>Layer 2 'Dense(10)'</c>, or its path inside a block use.</param>
    /// <param name="arguments">The attribute's arguments.</param>
    /// <param name="input">The input shape, or null when unknown.</param>
    /// <param name="location">Where problems are reported: the attribute, or the model attribute that inserted the block holding it.</param>
    /// <param name="diagnostics">Receives the problems.</param>
    public LayerSite(string subject, AttributeArguments arguments, EquatableArray<int>? input, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        Subject = subject;
        Arguments = arguments;
        _input = input;
        _location = location;
        _diagnostics = diagnostics;
    }

    /// <summary>How messages name the layer, e.g. <c>Layer 2 'Dense(10)'</c>.</summary>
    public string Subject { get; }

    public AttributeArguments Arguments { get; }

    /// <summary>True once a problem with this layer was reported.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>The input shape, when known.</summary>
    public bool TryGetInput(out EquatableArray<int> shape)
    {
        shape = _input ?? default;
        return _input is not null;
    }

    /// <summary>The input when it has <paramref name="rank"/> dimensions; reports SS0005 ("needs a {description} input") otherwise.</summary>
    public bool TryGetInput(int rank, string description, out EquatableArray<int> shape)
    {
        if (!TryGetInput(out shape))
        {
            return false;
        }

        if (shape.Count != rank)
        {
            NeedsRank(description);
            return false;
        }

        return true;
    }

    /// <summary>The input as (channels, height, width); reports SS0005 for another rank.</summary>
    public bool TryGetImageInput(out int channels, out int height, out int width)
    {
        channels = height = width = 0;
        if (!TryGetInput(3, "(channels, height, width)", out EquatableArray<int> shape))
        {
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
            Report(DiagnosticDescriptors.NeedsFlatInput, Shapes.Format(shape));
            return false;
        }

        features = shape[0];
        return true;
    }

    /// <summary>Reports SS0005: the layer needs a <paramref name="description"/> input, e.g. <c>(channels, length)</c>.</summary>
    public void NeedsRank(string description)
    {
        TryGetInput(out EquatableArray<int> input);
        Report(DiagnosticDescriptors.NeedsRank, description, Shapes.Format(input));
    }

    /// <summary>Reports SS0004 unless <paramref name="value"/> is positive.</summary>
    public void RequirePositive(string what, int value) =>
        Require(value > 0, what, "positive", CSharpText.Int(value));

    /// <summary>Reports SS0004 when <paramref name="value"/> is negative.</summary>
    public void RequireNonNegative(string what, int value) =>
        Require(value >= 0, what, "zero or positive", CSharpText.Int(value));

    /// <summary>Reports SS0004 unless <paramref name="value"/> is a finite number (not NaN or infinite).</summary>
    public void RequireFinite(string what, double value) =>
        Require(!double.IsNaN(value) && !double.IsInfinity(value), what, "a finite number", CSharpText.Double(value));

    /// <summary>Reports SS0004 ("{what} must be {constraint}, but is {actual}") unless <paramref name="condition"/> holds.</summary>
    public void Require(bool condition, string what, string constraint, string actual)
    {
        if (!condition)
        {
            Report(DiagnosticDescriptors.OutOfRange, what, constraint, actual);
        }
    }

    /// <summary>Reports SS0003: a window of <paramref name="window"/> (e.g. <c>3x3</c>) does not fit the input's <paramref name="size"/> (e.g. <c>2x2 padded</c>).</summary>
    public void WindowTooLarge(string window, string size)
    {
        TryGetInput(out EquatableArray<int> input);
        Report(DiagnosticDescriptors.WindowTooLarge, window, size, Shapes.Format(input));
    }

    /// <summary>Reports SS0003 for a square window of side <paramref name="window"/> and a (padded) spatial size.</summary>
    public void WindowTooLarge(long window, long height, long width, bool padded) =>
        WindowTooLarge(CSharpText.Int(window) + "x" + CSharpText.Int(window), CSharpText.Int(height) + "x" + CSharpText.Int(width) + (padded ? " padded" : string.Empty));

    /// <summary>Reports SS0015: <paramref name="groups"/> does not divide <paramref name="what"/> (e.g. <c>the filters (6)</c>).</summary>
    public void GroupsDoNotDivide(int groups, string what) =>
        Report(DiagnosticDescriptors.GroupsDoNotDivide, CSharpText.Int(groups), what);

    /// <summary>Reports <paramref name="descriptor"/> with the subject as its first argument, followed by <paramref name="arguments"/>.</summary>
    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params object[] arguments)
    {
        HasErrors = true;
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, _location, new object[] { Subject }.Concat(arguments).ToArray()));
    }

    /// <summary>Declares the layer's output, unless a problem was reported.</summary>
    /// <param name="shape">The per-sample output shape; reports SS0004 for a dimension that is not positive or too large for an int.</param>
    /// <param name="constructorArguments">The runtime layer's constructor arguments after its name, as C# source.</param>
    public override void Produces(long[] shape, params string[] constructorArguments)
    {
        // The first dimension out of range is reported; the others are usually so for the same reason.
        for (int i = 0; i < shape.Length && !HasErrors; i++)
        {
            Require(shape[i] > 0, $"output dimension {i + 1}", "positive", CSharpText.Int(shape[i]));
            Require(shape[i] <= int.MaxValue, $"output dimension {i + 1}", $"at most {CSharpText.Int(int.MaxValue)}", CSharpText.Int(shape[i]));
        }

        if (!HasErrors)
        {
            base.Produces(shape, constructorArguments);
        }
    }

    /// <summary>Reports that a size computed for this layer overflowed 64 bits.</summary>
    public void Overflowed() =>
        Require(false, "its parameter count and output size", $"at most {CSharpText.Int(long.MaxValue)}", "larger");
}
