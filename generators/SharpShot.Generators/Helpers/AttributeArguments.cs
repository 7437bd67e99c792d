using System.Globalization;
using Microsoft.CodeAnalysis;

namespace SharpShot.Generators.Helpers;

/// <summary>
/// Reads an attribute's values by name: constructor arguments by parameter name, properties by
/// property name. The parser reads only attributes that bound without errors, so a missing value
/// here means the runtime attribute and the generator disagree: it throws, and the model gets
/// the internal-error diagnostic.
/// </summary>
internal readonly struct AttributeArguments
{
    private readonly AttributeData _attribute;

    public AttributeArguments(AttributeData attribute) => _attribute = attribute;

    /// <summary>A constructor argument of type int.</summary>
    public int Int(string parameterName) => Convert.ToInt32(Constructor(parameterName), CultureInfo.InvariantCulture);

    /// <summary>A constructor argument of type double.</summary>
    public double Double(string parameterName) => Convert.ToDouble(Constructor(parameterName), CultureInfo.InvariantCulture);

    /// <summary>A constructor argument of type int[] (also <c>params</c>); empty when null.</summary>
    public int[] IntArray(string parameterName)
    {
        TypedConstant constant = ConstructorConstant(parameterName);
        return constant.Kind == TypedConstantKind.Array && !constant.IsNull
            ? constant.Values.Select(value => Convert.ToInt32(value.Value, CultureInfo.InvariantCulture)).ToArray()
            : Array.Empty<int>();
    }

    /// <summary>A constructor argument of type <see cref="System.Type"/>: the type named by typeof, or null for <c>null</c>.</summary>
    public ITypeSymbol? Type(string parameterName) => ConstructorConstant(parameterName).Value as ITypeSymbol;

    /// <summary>A constructor argument's constant as written (e.g. an enum value, with its type).</summary>
    public TypedConstant ConstructorArgument(string parameterName) => ConstructorConstant(parameterName);

    /// <summary>A bool property, or <paramref name="defaultValue"/> when not set.</summary>
    public bool Bool(string propertyName, bool defaultValue) =>
        Property(propertyName)?.Value is bool value ? value : defaultValue;

    /// <summary>An int property set as <c>Property = value</c>, or <paramref name="defaultValue"/> when not set.</summary>
    public int Int(string propertyName, int defaultValue) =>
        Property(propertyName)?.Value is { } value ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : defaultValue;

    /// <summary>A double property, or <paramref name="defaultValue"/> when not set.</summary>
    public double Double(string propertyName, double defaultValue) =>
        Property(propertyName)?.Value is { } value ? Convert.ToDouble(value, CultureInfo.InvariantCulture) : defaultValue;

    /// <summary>A double[] property, or null when not set (or set to null).</summary>
    public double[]? DoubleArray(string propertyName) =>
        Property(propertyName) is { Kind: TypedConstantKind.Array, IsNull: false } constant
            ? constant.Values.Select(value => Convert.ToDouble(value.Value, CultureInfo.InvariantCulture)).ToArray()
            : null;

    /// <summary>A string property, or null when not set (or set to null).</summary>
    public string? String(string propertyName) => Property(propertyName)?.Value as string;

    /// <summary>A property's constant as written, or null when not set.</summary>
    public TypedConstant? Property(string propertyName)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in _attribute.NamedArguments)
        {
            if (argument.Key == propertyName)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private object Constructor(string parameterName)
    {
        TypedConstant constant = ConstructorConstant(parameterName);
        return constant.Kind != TypedConstantKind.Array && constant.Value is { } value
            ? value
            : throw new InvalidOperationException($"{_attribute.AttributeClass?.Name} has no constructor argument '{parameterName}' of a scalar type.");
    }

    private TypedConstant ConstructorConstant(string parameterName)
    {
        IMethodSymbol? constructor = _attribute.AttributeConstructor;
        if (constructor is not null)
        {
            for (int i = 0; i < constructor.Parameters.Length && i < _attribute.ConstructorArguments.Length; i++)
            {
                if (constructor.Parameters[i].Name == parameterName)
                {
                    return _attribute.ConstructorArguments[i];
                }
            }
        }

        throw new InvalidOperationException($"{_attribute.AttributeClass?.Name} has no constructor argument '{parameterName}'.");
    }
}
