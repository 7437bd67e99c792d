using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SharpShot.Generators.Layers;

/// <summary>
/// Checks layer names (SS0007). A name becomes a field of the generated class, so it must be an
/// identifier that no other layer, generated member, local of the generated code, inherited member
/// or member the user declared already uses.
/// </summary>
internal sealed class LayerNames
{
    private readonly INamedTypeSymbol _model;
    private readonly Dictionary<string, string> _inherited = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _taken = new(StringComparer.Ordinal);

    public LayerNames(INamedTypeSymbol model, INamedTypeSymbol? sequentialModel)
    {
        _model = model;

        // Hiding an inherited member is warning CS0108, an error in projects that treat warnings as errors.
        for (INamedTypeSymbol? type = sequentialModel; type is not null; type = type.BaseType)
        {
            foreach (ISymbol member in type.GetMembers())
            {
                if (member.CanBeReferencedByName && member.DeclaredAccessibility != Accessibility.Private && !_inherited.ContainsKey(member.Name))
                {
                    _inherited.Add(member.Name, type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
                }
            }
        }
    }

    /// <summary>The name of a layer without a Name: its kind lowercased and its position, e.g. conv2d_1.</summary>
    public static string Default(string kind, int position) => kind.ToLowerInvariant() + "_" + position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why the layer at <paramref name="position"/> cannot be called <paramref name="name"/>, or null when it can; records the name as taken.</summary>
    public string? Problem(string name, int position)
    {
        if (!SyntaxFacts.IsValidIdentifier(name))
        {
            return "it is not a C# identifier";
        }

        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
        {
            return "it is a C# keyword";
        }

        if (_taken.TryGetValue(name, out int first))
        {
            return $"layer {first} has the same name";
        }

        _taken.Add(name, position);
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
