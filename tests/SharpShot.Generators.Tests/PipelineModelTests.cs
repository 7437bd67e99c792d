using System.Reflection;
using Microsoft.CodeAnalysis;
using SharpShot.Generators.Model;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>
/// Pipeline models must be plain data: a symbol, syntax node, compilation or location in them would
/// root old compilations in the driver's cache and defeat caching, since they never compare equal.
/// </summary>
public sealed class PipelineModelTests
{
    private static readonly Type[] s_forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxToken), typeof(SyntaxTree), typeof(Compilation),
        typeof(SemanticModel), typeof(Location), typeof(AttributeData), typeof(TypedConstant), typeof(DiagnosticDescriptor), typeof(Diagnostic),
    };

    [Fact]
    public void PipelineModelsHoldNoRoslynObjects()
    {
        var visited = new HashSet<Type>();
        List<string> offenders = FindForbidden(typeof(ParseResult), visited);

        Assert.Empty(offenders);

        // The walk must reach the nested models, or the check above proves nothing.
        Assert.Contains(typeof(ModelSpec), visited);
        Assert.Contains(typeof(LayerSpec), visited);
        Assert.Contains(typeof(ParameterSpec), visited);
        Assert.Contains(typeof(TrainingSpec), visited);
        Assert.Contains(typeof(MetaLearningSpec), visited);
        Assert.Contains(typeof(ContainingTypeSpec), visited);
        Assert.Contains(typeof(DiagnosticInfo), visited);
        Assert.Contains(typeof(LocationInfo), visited);
    }

    [Fact]
    public void TheCheckFindsALocationHiddenInAnArray()
    {
        List<string> offenders = FindForbidden(typeof(Leaky), new HashSet<Type>());

        Assert.Equal(new[] { "Leaky.Where: Location" }, offenders);
    }

    [Fact]
    public void PipelineModelsCompareByValue()
    {
        var visited = new HashSet<Type>();
        FindForbidden(typeof(ParseResult), visited);

        // Model classes are records (enums compare by value anyway); collections are EquatableArray: a plain array or list compares by reference.
        foreach (Type type in visited.Where(t => t.Namespace == typeof(ModelSpec).Namespace && !t.IsArray && !t.IsEnum))
        {
            Assert.True(type.GetMethod("<Clone>$") is not null, $"{type.Name} is not a record");
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                Assert.False(
                    field.FieldType.IsArray || typeof(System.Collections.IEnumerable).IsAssignableFrom(field.FieldType) && field.FieldType != typeof(string) && field.FieldType.Name != "EquatableArray`1",
                    $"{type.Name}.{field.Name} is a {field.FieldType.Name}, which does not compare by value");
            }
        }
    }

    /// <summary>Walks the instance fields of <paramref name="root"/> and of every type they reach (array elements and generic arguments included).</summary>
    private static List<string> FindForbidden(Type root, HashSet<Type> visited)
    {
        var offenders = new List<string>();
        var pending = new Stack<Type>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (!visited.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum)
            {
                continue;
            }

            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                foreach (Type reached in Reached(field.FieldType))
                {
                    if (s_forbidden.Any(forbidden => forbidden.IsAssignableFrom(reached)))
                    {
                        offenders.Add($"{type.Name}.{field.Name.Replace("<", string.Empty).Replace(">k__BackingField", string.Empty)}: {reached.Name}");
                    }
                    else
                    {
                        pending.Push(reached);
                    }
                }
            }
        }

        return offenders;
    }

    private static IEnumerable<Type> Reached(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (Type element in Reached(type.GetElementType()!))
            {
                yield return element;
            }
        }

        foreach (Type argument in type.GetGenericArguments())
        {
            foreach (Type reached in Reached(argument))
            {
                yield return reached;
            }
        }
    }

    private sealed record Leaky(string Name, Location[] Where);
}
