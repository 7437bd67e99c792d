using Microsoft.CodeAnalysis;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Layers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Composition;

/// <summary>
/// Reads the layer attributes of a model or block into <see cref="LayerSpec"/>s, threading the shape through
/// them, and expands compositions: <c>[Repeat]</c> and <c>[Residual]</c> insert a <c>[Block]</c> class's layers,
/// inferred anew for the shape where they are inserted; <c>[Use]</c> inserts a <c>[Model]</c> class's layers.
/// <para>
/// Each class reports its own mistakes at its own attributes: a block's shape-independent ones (bad sizes,
/// names, kinds) are found by reading it with an unknown input shape, which is what the [Block] pipeline does;
/// a used model's, by its own [Model] pipeline. A model that inserts a class with mistakes of its own just
/// gets no code. What depends on the shape at a use (a kernel larger than the image there) is reported at the
/// model's composition attribute, with the path down to the inner layer.
/// </para>
/// One reader serves one parse (one compilation); it remembers which classes it checked and read. What a reading
/// carries from layer to layer travels with it: the list being read (<see cref="Scope"/>) and the expansion it
/// belongs to (<see cref="Expansion"/>).
/// </summary>
internal sealed partial class LayerReader
{
    /// <summary>The most layers (containers included) one model may expand into; stops Repeat counts from exploding.</summary>
    public const int MaxLayers = 10_000;

    /// <summary>The deepest nesting of blocks and used models: expansion recurses, and must not exhaust the compiler's stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>The name the runtime's ResidualLayer registers a shortcut's projection under.</summary>
    private const string ProjectionName = "projection";

    private readonly INamedTypeSymbol? _sequentialModel;
    private readonly CancellationToken _cancellationToken;
    private readonly CompositionGraph _graph;
    private readonly Dictionary<INamedTypeSymbol, List<DiagnosticInfo>> _checkedBlocks = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<INamedTypeSymbol, UsedModel?> _usedModels = new(SymbolEqualityComparer.Default);
    private IReadOnlyDictionary<string, string>? _inherited;

    public LayerReader(Compilation compilation, CancellationToken cancellationToken)
    {
        _sequentialModel = compilation.GetTypeByMetadataName(Symbols.SequentialModelName);
        _cancellationToken = cancellationToken;
        _graph = new CompositionGraph(cancellationToken);
    }

    /// <summary>The layers of a [Model] class for its declared input shape (null when invalid: arguments are still checked).</summary>
    public ModelLayers ReadModel(INamedTypeSymbol model, EquatableArray<int>? inputShape, List<DiagnosticInfo> diagnostics)
    {
        var expansion = new Expansion(diagnostics);
        ListResult result = ReadList(Scope.Own(model, ModelNames(model), expansion), inputShape);
        return new ModelLayers(result.Layers, result.Attributes, expansion.InsertedClassFailed);
    }

    /// <summary>
    /// Checks a [Block] class on its own, with an unknown input: arguments, layer kinds, names, what its
    /// compositions name, and cycles. Reports at the block's attributes; returns the number of layer attributes.
    /// </summary>
    public int CheckBlock(INamedTypeSymbol block, List<DiagnosticInfo> diagnostics) =>
        ReadList(Scope.Own(block, new BlockNames(), new Expansion(diagnostics)), null).Attributes;

    private ListResult ReadList(Scope scope, EquatableArray<int>? inputShape)
    {
        var layers = new List<LayerSpec>();
        int reported = scope.Expansion.Diagnostics.Count;
        EquatableArray<int>? shape = inputShape;
        int position = 0;
        foreach (AttributeData attribute in Symbols.LayerAttributes(scope.Owner))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            position++;
            var use = new Use(attribute, position, Symbols.Written(attribute, _cancellationToken), scope, Symbols.LocationOf(attribute, _cancellationToken));
            string metadataName = Symbols.FullName(attribute.AttributeClass!);
            shape = metadataName switch
            {
                Symbols.RepeatAttributeName or Symbols.ResidualAttributeName or Symbols.UseAttributeName => ReadComposition(use, metadataName, shape, layers),
                _ => ReadLayer(use, metadataName, shape, layers),
            };
        }

        // A layer that fails leaves the shape unknown for the rest of the list; a bad name does not, but is a mistake too.
        bool complete = shape is not null && scope.Expansion.Diagnostics.Count == reported;
        return new ListResult(layers.ToEquatableArray(), position, complete);
    }

    private EquatableArray<int>? ReadLayer(Use use, string metadataName, EquatableArray<int>? shape, List<LayerSpec> layers)
    {
        LayerRule? rule = LayerRules.ForAttribute(metadataName);
        if (rule is null)
        {
            use.Report(DiagnosticDescriptors.UnknownLayer, use.Attribute.AttributeClass!.ToDisplayString(), LayerRules.KnownKinds);
            return null;
        }

        var arguments = new AttributeArguments(use.Attribute);
        var layer = new LayerSite(use.Subject, arguments, shape, use.Location, use.Expansion.Diagnostics);
        try
        {
            rule.Apply(layer);
        }
        catch (OverflowException)
        {
            layer.Overflowed();
        }

        string name = arguments.String("Name") ?? LayerNames.Default(rule.Kind, use.Position);
        CheckName(use, name);

        if (shape is not { } input || layer.Output is not { } output || layer.HasErrors)
        {
            return layer.Output?.Shape;
        }

        return Add(use, LayerSpec.Leaf(rule, use.Position, name, use.Declaration, null, input, output), layers) ? output.Shape : null;
    }

    private EquatableArray<int>? ReadComposition(Use use, string metadataName, EquatableArray<int>? shape, List<LayerSpec> layers)
    {
        var arguments = new AttributeArguments(use.Attribute);
        bool isUse = metadataName == Symbols.UseAttributeName;
        ITypeSymbol? target = arguments.Type(isUse ? "model" : "block");
        int count = metadataName == Symbols.RepeatAttributeName ? arguments.Int("count") : 1;
        string? explicitName = arguments.String("Name");

        int reported = use.Expansion.Diagnostics.Count;
        use.Require(count > 0, "count", "positive", CSharpText.Int(count));
        use.Require(count <= MaxLayers, "count", $"at most {CSharpText.Grouped(MaxLayers)}", CSharpText.Int(count));
        INamedTypeSymbol? targetClass = (target as INamedTypeSymbol)?.OriginalDefinition;
        if (targetClass is null || !Symbols.HasAttribute(targetClass, isUse ? Symbols.ModelAttributeName : Symbols.BlockAttributeName))
        {
            string display = target is null ? "null" : $"'{target.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'";
            use.Report(DiagnosticDescriptors.NotAComposable, display, isUse ? "Model" : "Block");
            return null;
        }

        if (_graph.FindCycle(use.Scope.Owner, targetClass) is { } cycle)
        {
            use.Report(DiagnosticDescriptors.ContainsItself, use.Scope.Owner.Name, string.Join(" → ", cycle.Select(type => type.Name)));
            return null;
        }

        if (use.Expansion.Diagnostics.Count > reported)
        {
            return null;
        }

        string baseName = explicitName ?? LayerNames.Default(metadataName == Symbols.ResidualAttributeName ? LayerSpec.ResidualKind : targetClass.Name, use.Position);
        string[] names = count == 1
            ? new[] { baseName }
            : Enumerable.Range(1, count).Select(k => baseName + "_" + CSharpText.Int(k)).ToArray();
        foreach (string name in names)
        {
            CheckName(use, name);
        }

        if (shape is not { } input || use.Expansion.Diagnostics.Count > reported || use.Expansion.TooManyLayers)
        {
            return null;
        }

        return metadataName switch
        {
            Symbols.RepeatAttributeName => Repeat(use, targetClass, names, input, layers),
            Symbols.ResidualAttributeName => Residual(use, targetClass, names[0], arguments.Bool("Projection", false), input, layers),
            _ => UseModel(use, targetClass, names[0], input, layers),
        };
    }

    private EquatableArray<int>? Repeat(Use use, INamedTypeSymbol block, string[] names, EquatableArray<int> input, List<LayerSpec> layers)
    {
        EquatableArray<int> shape = input;
        for (int k = 0; k < names.Length; k++)
        {
            string? detail = names.Length > 1 ? $"repetition {CSharpText.Int(k + 1)} of {CSharpText.Int(names.Length)}" : null;
            if (Expand(use, block, detail, shape) is not { } body)
            {
                return null;
            }

            LayerSpec spec = LayerSpec.Block(use.Position, block.Name, names[k], use.Declaration, detail, shape, body.Layers);
            if (!Add(use, spec, layers))
            {
                return null;
            }

            shape = spec.OutputShape;
        }

        return shape;
    }

    private EquatableArray<int>? Residual(Use use, INamedTypeSymbol block, string name, bool projected, EquatableArray<int> input, List<LayerSpec> layers)
    {
        if (Expand(use, block, null, input) is not { } expanded)
        {
            return null;
        }

        LayerSpec body = LayerSpec.Block(use.Position, block.Name, "body", use.Declaration, "body", input, expanded.Layers);
        EquatableArray<int> output = body.OutputShape;
        LayerSpec? projection = null;
        if (output != input)
        {
            if (!projected)
            {
                use.Report(DiagnosticDescriptors.ResidualChangesShape, block.Name, Shapes.Format(input), Shapes.Format(output));
                return null;
            }

            projection = Projection(use, input, output, out string? problem);
            if (projection is null)
            {
                use.Report(DiagnosticDescriptors.NoProjection, Shapes.Format(input), block.Name, Shapes.Format(output), problem ?? string.Empty);
                return null;
            }
        }

        return Add(use, LayerSpec.Residual(use.Position, name, use.Declaration, body, projection), layers) ? output : null;
    }

    /// <summary>
    /// The learned shortcut of a residual connection whose body maps <paramref name="input"/> to <paramref name="output"/>,
    /// built by the rule that projects shapes of their rank; null, with the <paramref name="problem"/>, when there is none.
    /// </summary>
    private static LayerSpec? Projection(Use use, EquatableArray<int> input, EquatableArray<int> output, out string? problem)
    {
        problem = null;
        if (input.Count != output.Count)
        {
            problem = "the block changes the number of dimensions";
            return null;
        }

        if (LayerRules.ProjectingRank(input.Count) is not { } rule)
        {
            problem = $"projections exist for {LayerRules.ProjectedShapes} shapes only";
            return null;
        }

        return rule.Project(input, output, out problem) is { } projection
            ? LayerSpec.Leaf(rule, use.Position, ProjectionName, use.Declaration, "shortcut projection", input, projection)
            : null;
    }

    /// <summary>
    /// A [Block]'s layers inferred for <paramref name="input"/>, reported at the model's attribute <paramref name="use"/>;
    /// null when the block has mistakes of its own (reported at the block) or does not fit here (reported at <paramref name="use"/>).
    /// </summary>
    private ListResult? Expand(Use use, INamedTypeSymbol block, string? detail, EquatableArray<int> input)
    {
        if (!CheckBlockOnce(block, use) || use.Scope.Encloses(block))
        {
            use.Expansion.InsertedClassFailed = true;
            return null;
        }

        if (!CheckDepth(use))
        {
            return null;
        }

        string prefix = $"{use.Subject}, block {block.Name}" + (detail is null ? string.Empty : $" ({detail})");
        ListResult result = ReadList(use.Scope.Inserting(block, prefix, use.Location), input);
        return result.Complete && !use.Expansion.TooManyLayers ? result : null;
    }

    /// <summary>
    /// Whether a [Block] is free of mistakes of its own. Those are reported by the block's own pipeline when it is
    /// declared in this compilation; a block from a referenced assembly has none, so its mistakes are reported at the use.
    /// </summary>
    private bool CheckBlockOnce(INamedTypeSymbol block, Use use)
    {
        if (!_checkedBlocks.TryGetValue(block, out List<DiagnosticInfo>? own))
        {
            own = new List<DiagnosticInfo>();
            _checkedBlocks.Add(block, own);
            if (Symbols.HasBindingErrors(block))
            {
                // The compiler reports these; a placeholder marks the block as failed without a message of ours.
                own.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, block.Name, "binding errors"));
            }
            else if (CheckBlock(block, own) == 0)
            {
                own.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, null, "Block", block.Name));
            }
        }

        if (own.Count > 0 && block.DeclaringSyntaxReferences.IsEmpty && !Symbols.HasBindingErrors(block))
        {
            use.Expansion.Diagnostics.AddRange(own.Select(diagnostic => diagnostic with { Location = use.Location }));
        }

        return own.Count == 0;
    }

    /// <summary>Adds <paramref name="spec"/> to <paramref name="layers"/>, counting <paramref name="weight"/> layers against <see cref="MaxLayers"/>.</summary>
    /// <param name="use">The attribute that declared it, where exceeding the limit is reported.</param>
    /// <param name="spec">The layer.</param>
    /// <param name="layers">The list it joins.</param>
    /// <param name="weight">1, or more for a container whose children were not counted as they were read (a used model's).</param>
    private static bool Add(Use use, LayerSpec spec, List<LayerSpec> layers, int weight = 1)
    {
        Expansion expansion = use.Expansion;
        expansion.LayerCount += weight;
        if (expansion.LayerCount > MaxLayers)
        {
            if (!expansion.TooManyLayers)
            {
                use.Require(false, "the number of layers after expanding blocks and models", $"at most {CSharpText.Grouped(MaxLayers)}", "larger");
            }

            expansion.TooManyLayers = true;
            return false;
        }

        layers.Add(spec);
        return true;
    }

    /// <summary>Reports SS0004 when one more level of nesting would exceed <see cref="MaxDepth"/>.</summary>
    private static bool CheckDepth(Use use)
    {
        if (use.Scope.Depth < MaxDepth)
        {
            return true;
        }

        use.Expansion.TooDeep = true;
        ReportTooDeep(use);
        return false;
    }

    private static void ReportTooDeep(Use use) =>
        use.Require(false, "the nesting of blocks and models", $"at most {CSharpText.Int(MaxDepth)} deep", "deeper");

    private static void CheckName(Use use, string name)
    {
        if (use.Scope.Names.Problem(name, use.Position) is { } problem)
        {
            use.Report(DiagnosticDescriptors.InvalidLayerName, name, problem);
        }
    }

    /// <summary>How the layers of a model are named: as fields of its generated class.</summary>
    private LayerNames ModelNames(INamedTypeSymbol model) => new(model, _inherited ??= LayerNames.InheritedMembers(_sequentialModel));

    /// <summary>What reading one list found.</summary>
    /// <param name="Layers">The layers whose shapes could be inferred, in order.</param>
    /// <param name="Attributes">The number of layer attributes read.</param>
    /// <param name="Complete">True when every layer was inferred and none had a mistake.</param>
    private sealed record ListResult(EquatableArray<LayerSpec> Layers, int Attributes, bool Complete);
}

/// <summary>The layers read from a [Model] class.</summary>
/// <param name="Layers">The layers whose shapes could be inferred, in order.</param>
/// <param name="Attributes">The number of layer attributes read.</param>
/// <param name="InsertedClassFailed">
/// True when a class the model inserts has mistakes of its own, reported where that class is declared: the model then
/// gets no code, though it has no diagnostic of its own.
/// </param>
internal sealed record ModelLayers(EquatableArray<LayerSpec> Layers, int Attributes, bool InsertedClassFailed);
