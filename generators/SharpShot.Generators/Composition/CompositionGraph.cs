using Microsoft.CodeAnalysis;
using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Composition;

/// <summary>
/// Which classes the compositions of a model or block insert — <c>[Repeat]</c> and <c>[Residual]</c> a <c>[Block]</c>,
/// <c>[Use]</c> a <c>[Model]</c> — and the cycles among them (SS0011). One serves one parse; it remembers what each
/// class inserts.
/// </summary>
internal sealed class CompositionGraph
{
    private readonly Dictionary<INamedTypeSymbol, INamedTypeSymbol[]> _inserted = new(SymbolEqualityComparer.Default);
    private readonly CancellationToken _cancellationToken;

    public CompositionGraph(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

    /// <summary>
    /// When <paramref name="target"/> is <paramref name="owner"/> or contains it through Repeat, Residual or Use
    /// (at any depth), the chain from the owner back to itself; null otherwise.
    /// </summary>
    public List<INamedTypeSymbol>? FindCycle(INamedTypeSymbol owner, INamedTypeSymbol target)
    {
        var parents = new Dictionary<INamedTypeSymbol, INamedTypeSymbol?>(SymbolEqualityComparer.Default) { [target] = null };
        var pending = new Queue<INamedTypeSymbol>();
        pending.Enqueue(target);
        while (pending.Count > 0)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            INamedTypeSymbol current = pending.Dequeue();
            if (SymbolEqualityComparer.Default.Equals(current, owner))
            {
                var chain = new List<INamedTypeSymbol>();
                for (INamedTypeSymbol? step = current; step is not null; step = parents[step])
                {
                    chain.Add(step);
                }

                chain.Reverse();
                chain.Insert(0, owner);
                return chain;
            }

            if (!_inserted.TryGetValue(current, out INamedTypeSymbol[]? inserted))
            {
                inserted = Inserted(current).ToArray();
                _inserted.Add(current, inserted);
            }

            foreach (INamedTypeSymbol next in inserted)
            {
                if (!parents.ContainsKey(next))
                {
                    parents.Add(next, current);
                    pending.Enqueue(next);
                }
            }
        }

        return null;
    }

    /// <summary>The classes <paramref name="type"/>'s compositions insert (those that name a class of the right kind).</summary>
    private static IEnumerable<INamedTypeSymbol> Inserted(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in Symbols.LayerAttributes(type))
        {
            string? required = Symbols.FullName(attribute.AttributeClass!) switch
            {
                Symbols.RepeatAttributeName or Symbols.ResidualAttributeName => Symbols.BlockAttributeName,
                Symbols.UseAttributeName => Symbols.ModelAttributeName,
                _ => null,
            };
            if (required is not null
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Type
                && attribute.ConstructorArguments[0].Value is INamedTypeSymbol inserted
                && Symbols.HasAttribute(inserted.OriginalDefinition, required))
            {
                yield return inserted.OriginalDefinition;
            }
        }
    }
}
