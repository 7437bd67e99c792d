using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Helpers;

/// <summary>What the parsers read from symbols and attributes: names, locations, the attribute as written, binding errors.</summary>
internal static class Symbols
{
    public const string ModelAttributeName = "SharpShot.ModelAttribute";
    public const string BlockAttributeName = "SharpShot.BlockAttribute";
    public const string LayerAttributeName = "SharpShot.LayerAttribute";
    public const string SequentialModelName = "SharpShot.SequentialModel";
    public const string MetaLearnerAttributeName = "SharpShot.MetaLearnerAttribute";
    public const string RepeatAttributeName = "SharpShot.RepeatAttribute";
    public const string ResidualAttributeName = "SharpShot.ResidualAttribute";
    public const string UseAttributeName = "SharpShot.UseAttribute";

    /// <summary>Namespace-qualified metadata name, e.g. SharpShot.Conv2dAttribute; compared as text so that it works whichever assembly declares the type.</summary>
    public static string FullName(INamedTypeSymbol type)
    {
        string name = type.MetadataName;
        for (INamedTypeSymbol? container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            name = container.MetadataName + "+" + name;
        }

        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }

    /// <summary>True for an attribute class deriving from SharpShot.LayerAttribute (layers and compositions).</summary>
    public static bool IsLayerAttribute(INamedTypeSymbol attributeClass)
    {
        for (INamedTypeSymbol? type = attributeClass.BaseType; type is not null; type = type.BaseType)
        {
            if (FullName(type) == LayerAttributeName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="attribute"/> is an instance of the attribute class <paramref name="metadataName"/>.</summary>
    public static bool Is(AttributeData attribute, string metadataName) =>
        attribute.AttributeClass is { } type && FullName(type) == metadataName;

    /// <summary>True when <paramref name="type"/> has an attribute of the class <paramref name="metadataName"/>.</summary>
    public static bool HasAttribute(INamedTypeSymbol type, string metadataName) =>
        type.GetAttributes().Any(attribute => Is(attribute, metadataName));

    /// <summary>The attributes of <paramref name="type"/> that declare layers, in source order.</summary>
    public static IEnumerable<AttributeData> LayerAttributes(INamedTypeSymbol type) =>
        type.GetAttributes().Where(attribute => attribute.AttributeClass is { } attributeClass && IsLayerAttribute(attributeClass));

    /// <summary>True when a SharpShot attribute on the class, or one the compiler could not resolve (a typo'd layer?), has errors.</summary>
    public static bool HasBindingErrors(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is not { TypeKind: not TypeKind.Error } attributeClass)
            {
                return true;
            }

            bool ours = attributeClass.ContainingNamespace?.ToDisplayString() == "SharpShot" || IsLayerAttribute(attributeClass);
            if (ours && (attribute.AttributeConstructor is null
                || attribute.ConstructorArguments.Any(IsError)
                || attribute.NamedArguments.Any(argument => IsError(argument.Value))))
            {
                return true;
            }
        }

        return false;

        static bool IsError(TypedConstant constant) =>
            constant.Kind == TypedConstantKind.Error
            || (constant.Kind == TypedConstantKind.Type && constant.Value is ITypeSymbol type && HasErrorType(type))
            || (constant.Kind == TypedConstantKind.Array && !constant.IsNull && constant.Values.Any(IsError));

        // typeof(Missing) binds to an error type rather than an error constant.
        static bool HasErrorType(ITypeSymbol type) => type switch
        {
            { TypeKind: TypeKind.Error } => true,
            IArrayTypeSymbol array => HasErrorType(array.ElementType),
            INamedTypeSymbol named => named.TypeArguments.Any(HasErrorType),
            _ => false,
        };
    }

    /// <summary>Where an attribute was applied, or null for one read from metadata.</summary>
    public static LocationInfo? LocationOf(AttributeData attribute, CancellationToken cancellationToken) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

    /// <summary>
    /// Where the named argument <c><paramref name="propertyName"/> = …</c> of an attribute was written, or the
    /// attribute's location when it is not written (or the attribute comes from metadata).
    /// </summary>
    public static LocationInfo? PropertyLocation(AttributeData attribute, string propertyName, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } arguments })
        {
            foreach (AttributeArgumentSyntax argument in arguments.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == propertyName)
                {
                    return LocationInfo.From(argument);
                }
            }
        }

        return LocationOf(attribute, cancellationToken);
    }

    /// <summary>
    /// Where the constructor argument <paramref name="parameterName"/> of an attribute whose constructor has that one
    /// parameter was written (positionally or as <c>name:</c>), or the attribute's location when it cannot be found.
    /// </summary>
    public static LocationInfo? SingleConstructorArgumentLocation(AttributeData attribute, string parameterName, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } arguments })
        {
            foreach (AttributeArgumentSyntax argument in arguments.Arguments)
            {
                if (argument.NameEquals is null && (argument.NameColon is null || argument.NameColon.Name.Identifier.ValueText == parameterName))
                {
                    return LocationInfo.From(argument);
                }
            }
        }

        return LocationOf(attribute, cancellationToken);
    }

    /// <summary>
    /// The member of <typeparamref name="TEnum"/>, the generator's copy of a runtime enum, named as the member of the
    /// user's enum whose value <paramref name="constant"/> holds; null when no member has that value.
    /// </summary>
    public static TEnum? EnumMember<TEnum>(TypedConstant constant)
        where TEnum : struct, Enum =>
        constant is { Type: INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType, Value: { } value }
            && enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(field => field.HasConstantValue && Equals(field.ConstantValue, value)) is { } member
            && Enum.TryParse(member.Name, out TEnum parsed)
            ? parsed
            : null;

    /// <summary>The attribute as the user wrote it, with whitespace normalized: <c>Conv2d(32, 3, Stride = 2)</c>.</summary>
    public static string Written(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            string name = attribute.AttributeClass?.Name ?? "?";
            return name.EndsWith("Attribute", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name;
        }

        var builder = new StringBuilder();
        bool space = false;
        foreach (char c in syntax.NormalizeWhitespace().ToString())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(c);
            space = false;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The declared input shape of a [Model] attribute, or null when it is empty or has a dimension that is not
    /// positive; <paramref name="report"/> (when given) is told each problem: what, constraint, actual.
    /// </summary>
    public static int[]? InputShape(AttributeData modelAttribute, Action<string, string, string>? report = null)
    {
        TypedConstant shape = modelAttribute.ConstructorArguments.FirstOrDefault();
        int[] dimensions = shape.Kind == TypedConstantKind.Array && !shape.IsNull
            ? shape.Values.Select(value => Convert.ToInt32(value.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : Array.Empty<int>();

        bool valid = dimensions.Length > 0;
        if (!valid)
        {
            report?.Invoke("the number of input dimensions", "positive", "0");
        }

        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] <= 0)
            {
                valid = false;
                report?.Invoke($"input dimension {i + 1}", "positive", CSharpText.Int(dimensions[i]));
            }
        }

        return valid ? dimensions : null;
    }
}
