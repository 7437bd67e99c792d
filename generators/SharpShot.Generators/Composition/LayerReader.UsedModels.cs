using Microsoft.CodeAnalysis;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Composition;

// [Use(typeof(M))]: M's layers, inferred for M's declared input, inserted where the shape is that input.
internal sealed partial class LayerReader
{
    private EquatableArray<int>? UseModel(Use use, INamedTypeSymbol model, string name, EquatableArray<int> input, List<LayerSpec> layers)
    {
        if (!CheckDepth(use))
        {
            return null;
        }

        if (ReadUsedModel(use.Scope, model, out bool tooDeep) is not { } used)
        {
            // A used model too deep to insert this deep is not the used model's mistake: it is reported here.
            if (tooDeep)
            {
                ReportTooDeep(use);
            }
            else
            {
                use.Expansion.InsertedClassFailed = true;
            }

            return null;
        }

        if (used.InputShape != input)
        {
            use.Report(DiagnosticDescriptors.UsedModelInputMismatch, model.Name, Shapes.Format(used.InputShape), Shapes.Format(input));
            return null;
        }

        LayerSpec spec = LayerSpec.Block(use.Position, model.Name, name, use.Declaration, null, input, used.Layers);
        return Add(use, spec, layers, weight: 1 + Size(used.Layers)) ? spec.OutputShape : null;
    }

    /// <summary>
    /// A [Model] class's layers for its declared input, read once, or null when it has mistakes of its own (its own
    /// pipeline reports them) or when its nesting, counted from <paramref name="user"/>, got too deep (<paramref name="tooDeep"/>).
    /// </summary>
    /// <param name="user">The list whose [Use] inserts it.</param>
    /// <param name="model">The model class.</param>
    /// <param name="tooDeep">True when this reading exceeded <see cref="MaxDepth"/>: the answer depends on where it is used, so it is not remembered.</param>
    private UsedModel? ReadUsedModel(Scope user, INamedTypeSymbol model, out bool tooDeep)
    {
        tooDeep = false;
        if (_usedModels.TryGetValue(model, out UsedModel? known))
        {
            return known;
        }

        _usedModels.Add(model, null);
        AttributeData? modelAttribute = model.GetAttributes().FirstOrDefault(attribute => Symbols.Is(attribute, Symbols.ModelAttributeName));
        if (modelAttribute is null || Symbols.HasBindingErrors(model) || Symbols.InputShape(modelAttribute) is not { } dimensions || user.Encloses(model))
        {
            return null;
        }

        // The used model's expansion counts on its own, and reports to no one; its layers count again where it is used.
        var own = new List<DiagnosticInfo>();
        var expansion = new Expansion(own);
        var input = new EquatableArray<int>(dimensions);
        ListResult result = ReadList(user.Using(model, ModelNames(model), expansion), input);
        UsedModel? used = own.Count == 0 && result.Complete && result.Layers.Count > 0 && !expansion.TooManyLayers
            ? new UsedModel(input, result.Layers)
            : null;

        user.Expansion.Include(expansion);
        tooDeep = expansion.TooDeep;
        if (tooDeep)
        {
            _usedModels.Remove(model);
        }
        else
        {
            _usedModels[model] = used;
        }

        return used;
    }

    /// <summary>The number of layers, containers included.</summary>
    private static int Size(EquatableArray<LayerSpec> layers) => layers.Sum(layer => 1 + Size(layer.Children));

    private sealed record UsedModel(EquatableArray<int> InputShape, EquatableArray<LayerSpec> Layers);
}
