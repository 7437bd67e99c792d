using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SharpShot.Generators.Layers;

/// <summary>Checks the names of the layers of one model or block (SS0007), recording each as taken.</summary>
internal interface INameScope
{
    /// <summary>Why the layer at <paramref name="position"/> cannot be called <paramref name="name"/>, or null when it can; records the name as taken.</summary>
    string? Problem(string name, int position);
}

/// <summary>
/// Checks the names of a model's layers (SS0007). A name becomes a field of the generated class, so it must be an
/// identifier that no other layer, generated member, local of the generated code, inherited member
/// or member the user declared already uses.
/// </summary>
internal sealed class LayerNames : INameScope
{
    private readonly INamedTypeSymbol _model;
    private readonly IReadOnlyDictionary<string, string> _inherited;
    private readonly Dictionary<string, int> _taken = new(StringComparer.Ordinal);

    /// <param name="model">The model class.</param>
    /// <param name="inherited">What <see cref="InheritedMembers"/> returns for SharpShot.SequentialModel.</param>
    public LayerNames(INamedTypeSymbol model, IReadOnlyDictionary<string, string> inherited)
    {
        _model = model;
        _inherited = inherited;
    }

    /// <summary>
    /// The members a model inherits, by name, with the type declaring them: hiding one is warning CS0108, an
    /// error in projects that treat warnings as errors. Computed once per parse (it walks TorchSharp's Module).
    /// </summary>
    public static IReadOnlyDictionary<string, string> InheritedMembers(INamedTypeSymbol? sequentialModel)
    {
        var inherited = new Dictionary<string, string>(StringComparer.Ordinal);
        for (INamedTypeSymbol? type = sequentialModel; type is not null; type = type.BaseType)
        {
            string? display = null;
            foreach (ISymbol member in type.GetMembers())
            {
                if (member.CanBeReferencedByName && member.DeclaredAccessibility != Accessibility.Private && !inherited.ContainsKey(member.Name))
                {
                    inherited.Add(member.Name, display ??= type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
                }
            }
        }

        return inherited;
    }

    /// <summary>The name of a layer without a Name: its kind (or block class) lowercased and its position, e.g. conv2d_1.</summary>
    public static string Default(string kind, int position) => kind.ToLowerInvariant() + "_" + position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string? Problem(string name, int position)
    {
        if (BlockNames.Problem(name, position, _taken) is { } problem)
        {
            return problem;
        }

        if (name == _model.Name)
        {
            return "a member cannot have the name of its class";
        }

        if (Emitter.ReservedNames.Contains(name))
        {
            return "the generated code uses that name";
        }

        if (_inherited.TryGetValue(name, out string? declaringType))
        {
            return $"it would hide the member inherited from {declaringType}";
        }

        if (_model.GetMembers(name).Any(member => !member.IsImplicitlyDeclared))
        {
            return $"{_model.Name} already declares a member with that name";
        }

        return null;
    }
}

/// <summary>
/// Checks the names of a block's layers (SS0007): they name modules inside a <c>BlockLayer</c> (and parameters
/// such as <c>convblock_1.conv2d_1.weight</c>), not fields, so they must only be identifiers, unique in the block.
/// </summary>
internal sealed class BlockNames : INameScope
{
    private readonly Dictionary<string, int> _taken = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string? Problem(string name, int position) => Problem(name, position, _taken);

    /// <summary>The checks every layer name gets; records the name in <paramref name="taken"/> when it is an identifier.</summary>
    internal static string? Problem(string name, int position, Dictionary<string, int> taken)
    {
        if (!SyntaxFacts.IsValidIdentifier(name))
        {
            return "it is not a C# identifier";
        }

        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
        {
            return "it is a C# keyword";
        }

        if (taken.TryGetValue(name, out int first))
        {
            return $"layer {first} has the same name";
        }

        taken.Add(name, position);
        return null;
    }
}
