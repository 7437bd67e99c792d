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
/// One reader serves one parse (one compilation); it remembers which classes it checked.
/// </summary>
internal sealed class LayerReader
{
    /// <summary>The most layers (containers included) one model may expand into; stops Repeat counts from exploding.</summary>
    public const int MaxLayers = 10_000;

    /// <summary>The deepest nesting of blocks and used models: expansion recurses, and must not exhaust the compiler's stack.</summary>
    public const int MaxDepth = 64;

    private const string RepeatAttributeName = "SharpShot.RepeatAttribute";
    private const string ResidualAttributeName = "SharpShot.ResidualAttribute";
    private const string UseAttributeName = "SharpShot.UseAttribute";
    private const string BlockLayer = "global::SharpShot.Layers.BlockLayer";
    private const string ResidualLayer = "global::SharpShot.Layers.ResidualLayer";

    private readonly INamedTypeSymbol? _sequentialModel;
    private IReadOnlyDictionary<string, string>? _inherited;
    private readonly Dictionary<INamedTypeSymbol, INamedTypeSymbol[]> _inserted = new(SymbolEqualityComparer.Default);
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<INamedTypeSymbol, List<DiagnosticInfo>> _checkedBlocks = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<INamedTypeSymbol, UsedModel?> _usedModels = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _expanding = new(SymbolEqualityComparer.Default);
    private int _layerCount;
    private bool _tooManyLayers;
    private int _depth;
    private bool _tooDeep;

    public LayerReader(Compilation compilation, CancellationToken cancellationToken)
    {
        _sequentialModel = compilation.GetTypeByMetadataName(Symbols.SequentialModelName);
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// True when a class this model inserts has mistakes of its own, reported where it is declared: the model then
    /// gets no code, though it has no diagnostic of its own.
    /// </summary>
    public bool InsertedClassFailed { get; private set; }

    /// <summary>The layers of a [Model] class for its declared input shape (null when invalid: arguments are still checked).</summary>
    /// <returns>The layers that could be inferred and the number of layer attributes read.</returns>
    public (List<LayerSpec> Layers, int Attributes) ReadModel(INamedTypeSymbol model, EquatableArray<int>? inputShape, List<DiagnosticInfo> diagnostics)
    {
        var scope = new Scope(model, new LayerNames(model, _inherited ??= LayerNames.InheritedMembers(_sequentialModel)), null, null);
        _expanding.Add(model);
        ListResult result = ReadList(scope, inputShape, diagnostics);
        return (result.Layers, result.Attributes);
    }

    /// <summary>
    /// Checks a [Block] class on its own, with an unknown input: arguments, layer kinds, names, what its
    /// compositions name, and cycles. Reports at the block's attributes; returns the number of layer attributes.
    /// </summary>
    public int CheckBlock(INamedTypeSymbol block, List<DiagnosticInfo> diagnostics)
    {
        var scope = new Scope(block, new BlockNames(), null, null);
        return ReadList(scope, null, diagnostics).Attributes;
    }

    private ListResult ReadList(Scope scope, EquatableArray<int>? inputShape, List<DiagnosticInfo> diagnostics)
    {
        var layers = new List<LayerSpec>();
        EquatableArray<int>? shape = inputShape;
        int position = 0;
        bool complete = true;
        foreach (AttributeData attribute in Symbols.LayerAttributes(scope.Owner))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            position++;
            int reported = diagnostics.Count;
            bool failed = InsertedClassFailed;
            var use = new Use(attribute, position, Symbols.Written(attribute, _cancellationToken), scope, Symbols.LocationOf(attribute, _cancellationToken));
            string metadataName = Symbols.FullName(attribute.AttributeClass!);
            shape = metadataName switch
            {
                RepeatAttributeName or ResidualAttributeName or UseAttributeName => ReadComposition(use, metadataName, shape, layers, diagnostics),
                _ => ReadLayer(use, metadataName, shape, layers, diagnostics),
            };

            complete &= diagnostics.Count == reported && InsertedClassFailed == failed;
        }

        return new ListResult(layers, shape, position, complete && shape is not null);
    }

    private EquatableArray<int>? ReadLayer(Use use, string metadataName, EquatableArray<int>? shape, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        LayerRule? rule = LayerRules.ForAttribute(metadataName);
        if (rule is null)
        {
            Report(diagnostics, DiagnosticDescriptors.UnknownLayer, use.Location, use.Subject, use.Attribute.AttributeClass!.ToDisplayString(), LayerRules.KnownKinds);
            return null;
        }

        var arguments = new AttributeArguments(use.Attribute);
        var layer = new LayerSite(use.Subject, arguments, shape, use.Location, diagnostics);
        try
        {
            rule.Apply(layer);
        }
        catch (OverflowException)
        {
            layer.Overflowed();
        }

        string name = arguments.String("Name") ?? LayerNames.Default(rule.Kind, use.Position);
        CheckName(use, name, diagnostics);

        if (shape is not { } input || layer.Output is not { } output || layer.HasErrors)
        {
            return layer.Output?.Shape;
        }

        var spec = new LayerSpec(use.Position, rule.Kind, name, use.Declaration, null, input, output.Shape, output.Parameters, output.NonTrainableValues,
            rule.RuntimeType, output.ConstructorArguments, LayerStructure.Layer, EquatableArray<LayerSpec>.Empty);
        return Add(use, spec, layers, diagnostics) ? output.Shape : null;
    }

    private EquatableArray<int>? ReadComposition(Use use, string metadataName, EquatableArray<int>? shape, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        var arguments = new AttributeArguments(use.Attribute);
        bool isUse = metadataName == UseAttributeName;
        string required = isUse ? "Model" : "Block";
        ITypeSymbol? target = arguments.Type(isUse ? "model" : "block");
        int count = metadataName == RepeatAttributeName ? arguments.Int("count") : 1;
        string? explicitName = arguments.String("Name");

        int reported = diagnostics.Count;
        Require(diagnostics, use, count > 0, "count", "positive", CSharpText.Int(count));
        Require(diagnostics, use, count <= MaxLayers, "count", $"at most {CSharpText.Grouped(MaxLayers)}", CSharpText.Int(count));
        INamedTypeSymbol? targetClass = (target as INamedTypeSymbol)?.OriginalDefinition;
        if (targetClass is null || !HasAttribute(targetClass, isUse ? Symbols.ModelAttributeName : Symbols.BlockAttributeName))
        {
            string display = target is null ? "null" : $"'{target.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'";
            Report(diagnostics, DiagnosticDescriptors.NotAComposable, use.Location, use.Subject, display, required);
            return null;
        }

        if (FindCycle(use.Scope.Owner, targetClass) is { } cycle)
        {
            Report(diagnostics, DiagnosticDescriptors.ContainsItself, use.Location, use.Subject, use.Scope.Owner.Name, string.Join(" → ", cycle.Select(type => type.Name)));
            return null;
        }

        if (diagnostics.Count > reported)
        {
            return null;
        }

        string baseName = explicitName ?? LayerNames.Default(metadataName == ResidualAttributeName ? "Residual" : targetClass.Name, use.Position);
        string[] names = count == 1
            ? new[] { baseName }
            : Enumerable.Range(1, count).Select(k => baseName + "_" + CSharpText.Int(k)).ToArray();
        foreach (string name in names)
        {
            CheckName(use, name, diagnostics);
        }

        if (shape is not { } input || diagnostics.Count > reported || _tooManyLayers)
        {
            return null;
        }

        return metadataName switch
        {
            RepeatAttributeName => Repeat(use, targetClass, names, input, layers, diagnostics),
            ResidualAttributeName => Residual(use, targetClass, names[0], arguments.Bool("Projection", false), input, layers, diagnostics),
            _ => UseModel(use, targetClass, names[0], input, layers, diagnostics),
        };
    }

    private EquatableArray<int>? Repeat(Use use, INamedTypeSymbol block, string[] names, EquatableArray<int> input, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        EquatableArray<int> shape = input;
        for (int k = 0; k < names.Length; k++)
        {
            string? detail = names.Length > 1 ? $"repetition {CSharpText.Int(k + 1)} of {CSharpText.Int(names.Length)}" : null;
            if (Expand(use, block, detail, shape, diagnostics) is not { } body)
            {
                return null;
            }

            var spec = new LayerSpec(use.Position, block.Name, names[k], use.Declaration, detail, shape, body.Output!.Value, EquatableArray<ParameterSpec>.Empty, 0,
                BlockLayer, EquatableArray<string>.Empty, LayerStructure.Block, body.Layers.ToEquatableArray());
            if (!Add(use, spec, layers, diagnostics))
            {
                return null;
            }

            shape = body.Output!.Value;
        }

        return shape;
    }

    private EquatableArray<int>? Residual(Use use, INamedTypeSymbol block, string name, bool projection, EquatableArray<int> input, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        if (Expand(use, block, null, input, diagnostics) is not { } body)
        {
            return null;
        }

        EquatableArray<int> output = body.Output!.Value;
        var children = new List<LayerSpec>
        {
            new(use.Position, block.Name, "body", use.Declaration, "body", input, output, EquatableArray<ParameterSpec>.Empty, 0,
                BlockLayer, EquatableArray<string>.Empty, LayerStructure.Block, body.Layers.ToEquatableArray()),
        };

        if (output != input)
        {
            if (!projection)
            {
                Report(diagnostics, DiagnosticDescriptors.ResidualChangesShape, use.Location, use.Subject, block.Name, Shapes.Format(input), Shapes.Format(output));
                return null;
            }

            if (Projection.Create(use.Position, use.Declaration, input, output, out string? problem) is not { } shortcut)
            {
                Report(diagnostics, DiagnosticDescriptors.NoProjection, use.Location, use.Subject, Shapes.Format(input), block.Name, Shapes.Format(output), problem ?? string.Empty);
                return null;
            }

            children.Add(shortcut);
        }

        var spec = new LayerSpec(use.Position, "Residual", name, use.Declaration, null, input, output, EquatableArray<ParameterSpec>.Empty, 0,
            ResidualLayer, EquatableArray<string>.Empty, LayerStructure.Residual, children.ToEquatableArray());
        return Add(use, spec, layers, diagnostics) ? output : null;
    }

    private EquatableArray<int>? UseModel(Use use, INamedTypeSymbol model, string name, EquatableArray<int> input, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        if (!CheckDepth(use, diagnostics))
        {
            return null;
        }

        // A used model too deep to insert this deep is not the used model's mistake: it is reported here.
        bool tooDeep = _tooDeep;
        _tooDeep = false;
        _depth++;
        UsedModel? read;
        try
        {
            read = ReadUsedModel(model);
        }
        finally
        {
            _depth--;
            (tooDeep, _tooDeep) = (_tooDeep, _tooDeep || tooDeep);
        }

        if (read is not { } used)
        {
            if (tooDeep)
            {
                Require(diagnostics, use, false, "the nesting of blocks and models", $"at most {CSharpText.Int(MaxDepth)} deep", "deeper");
            }
            else
            {
                InsertedClassFailed = true;
            }

            return null;
        }

        if (used.InputShape != input)
        {
            Report(diagnostics, DiagnosticDescriptors.UsedModelInputMismatch, use.Location, use.Subject, model.Name, Shapes.Format(used.InputShape), Shapes.Format(input));
            return null;
        }

        var spec = new LayerSpec(use.Position, model.Name, name, use.Declaration, null, input, used.Layers[used.Layers.Count - 1].OutputShape, EquatableArray<ParameterSpec>.Empty, 0,
            BlockLayer, EquatableArray<string>.Empty, LayerStructure.Block, used.Layers);
        return Add(use, spec, layers, diagnostics, weight: 1 + Size(used.Layers)) ? spec.OutputShape : null;
    }

    /// <summary>
    /// A [Block]'s layers inferred for <paramref name="input"/>, reported at the model's attribute <paramref name="use"/>;
    /// null when the block has mistakes of its own (reported at the block) or does not fit here (reported at <paramref name="use"/>).
    /// </summary>
    private ListResult? Expand(Use use, INamedTypeSymbol block, string? detail, EquatableArray<int> input, List<DiagnosticInfo> diagnostics)
    {
        if (!CheckBlockOnce(block, use, diagnostics) || !_expanding.Add(block))
        {
            InsertedClassFailed = true;
            return null;
        }

        if (!CheckDepth(use, diagnostics))
        {
            _expanding.Remove(block);
            return null;
        }

        _depth++;
        try
        {
            string prefix = $"{use.Subject}, block {block.Name}" + (detail is null ? string.Empty : $" ({detail})");
            var scope = new Scope(block, new BlockNames(), prefix, use.Location);
            ListResult result = ReadList(scope, input, diagnostics);
            return result.Complete && !_tooManyLayers ? result : null;
        }
        finally
        {
            _depth--;
            _expanding.Remove(block);
        }
    }

    /// <summary>
    /// Whether a [Block] is free of mistakes of its own. Those are reported by the block's own pipeline when it is
    /// declared in this compilation; a block from a referenced assembly has none, so its mistakes are reported at the use.
    /// </summary>
    private bool CheckBlockOnce(INamedTypeSymbol block, Use use, List<DiagnosticInfo> diagnostics)
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
            diagnostics.AddRange(own.Select(diagnostic => diagnostic with { Location = use.Location }));
        }

        return own.Count == 0;
    }

    /// <summary>A [Model] class's layers for its declared input, or null when it has mistakes of its own (its own pipeline reports them).</summary>
    private UsedModel? ReadUsedModel(INamedTypeSymbol model)
    {
        if (_usedModels.TryGetValue(model, out UsedModel? known))
        {
            return known;
        }

        _usedModels.Add(model, null);
        AttributeData? modelAttribute = model.GetAttributes().FirstOrDefault(attribute => Symbols.Is(attribute, Symbols.ModelAttributeName));
        if (modelAttribute is null || Symbols.HasBindingErrors(model) || Symbols.InputShape(modelAttribute) is not { } dimensions || !_expanding.Add(model))
        {
            return null;
        }

        // The used model's expansion counts on its own; its layers count again where it is used.
        (int count, bool tooMany) = (_layerCount, _tooManyLayers);
        (_layerCount, _tooManyLayers) = (0, false);
        try
        {
            var own = new List<DiagnosticInfo>();
            var input = new EquatableArray<int>(dimensions);
            var scope = new Scope(model, new LayerNames(model, _inherited ??= LayerNames.InheritedMembers(_sequentialModel)), null, null);
            ListResult result = ReadList(scope, input, own);
            UsedModel? used = own.Count == 0 && result.Complete && result.Layers.Count > 0 && !_tooManyLayers
                ? new UsedModel(input, result.Layers.ToEquatableArray())
                : null;
            if (_tooDeep)
            {
                // Whether it fits depends on how deep it is used: not remembered.
                _usedModels.Remove(model);
            }
            else
            {
                _usedModels[model] = used;
            }

            return used;
        }
        finally
        {
            (_layerCount, _tooManyLayers) = (count, tooMany);
            _expanding.Remove(model);
        }
    }

    /// <summary>Adds <paramref name="spec"/> to <paramref name="layers"/>, counting <paramref name="weight"/> layers against <see cref="MaxLayers"/>.</summary>
    /// <param name="use">The attribute that declared it, where exceeding the limit is reported.</param>
    /// <param name="spec">The layer.</param>
    /// <param name="layers">The list it joins.</param>
    /// <param name="diagnostics">Receives the problem.</param>
    /// <param name="weight">1, or more for a container whose children were not counted as they were read (a used model's).</param>
    private bool Add(Use use, LayerSpec spec, List<LayerSpec> layers, List<DiagnosticInfo> diagnostics, int weight = 1)
    {
        _layerCount += weight;
        if (_layerCount > MaxLayers)
        {
            if (!_tooManyLayers)
            {
                Require(diagnostics, use, false, "the number of layers after expanding blocks and models", $"at most {CSharpText.Grouped(MaxLayers)}", "larger");
            }

            _tooManyLayers = true;
            return false;
        }

        layers.Add(spec);
        return true;
    }

    /// <summary>Reports SS0004 when one more level of nesting would exceed <see cref="MaxDepth"/>.</summary>
    private bool CheckDepth(Use use, List<DiagnosticInfo> diagnostics)
    {
        if (_depth < MaxDepth)
        {
            return true;
        }

        _tooDeep = true;
        Require(diagnostics, use, false, "the nesting of blocks and models", $"at most {CSharpText.Int(MaxDepth)} deep", "deeper");
        return false;
    }

    private static int Size(EquatableArray<LayerSpec> layers) => layers.Sum(layer => 1 + Size(layer.Children));

    /// <summary>
    /// When <paramref name="target"/> is <paramref name="owner"/> or contains it through Repeat, Residual or Use
    /// (at any depth), the chain from the owner back to itself; null otherwise.
    /// </summary>
    private List<INamedTypeSymbol>? FindCycle(INamedTypeSymbol owner, INamedTypeSymbol target)
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
            string name = Symbols.FullName(attribute.AttributeClass!);
            string? required = name switch
            {
                RepeatAttributeName or ResidualAttributeName => Symbols.BlockAttributeName,
                UseAttributeName => Symbols.ModelAttributeName,
                _ => null,
            };
            if (required is not null
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Type
                && attribute.ConstructorArguments[0].Value is INamedTypeSymbol inserted
                && HasAttribute(inserted.OriginalDefinition, required))
            {
                yield return inserted.OriginalDefinition;
            }
        }
    }

    private static bool HasAttribute(INamedTypeSymbol type, string metadataName) =>
        type.GetAttributes().Any(attribute => Symbols.Is(attribute, metadataName));

    private static void CheckName(Use use, string name, List<DiagnosticInfo> diagnostics)
    {
        if (use.Scope.Names.Problem(name, use.Position) is { } problem)
        {
            Report(diagnostics, DiagnosticDescriptors.InvalidLayerName, use.Location, use.Subject, name, problem);
        }
    }

    private static void Require(List<DiagnosticInfo> diagnostics, Use use, bool condition, string what, string constraint, string actual)
    {
        if (!condition)
        {
            Report(diagnostics, DiagnosticDescriptors.OutOfRange, use.Location, use.Subject, what, constraint, actual);
        }
    }

    private static void Report(List<DiagnosticInfo> diagnostics, DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
        diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    /// <summary>The class whose layers are read, how its layer names are checked, and where and how problems are reported.</summary>
    /// <param name="Owner">The model or block class.</param>
    /// <param name="Names">Its layers' name checks.</param>
    /// <param name="Prefix">Null when reading the class's own declaration; inside a use, the path to it, e.g. <c>Layer 1 'Repeat(typeof(ConvBlock), 2)', block ConvBlock (repetition 2 of 2)</c>.</param>
    /// <param name="Location">Null to report at each attribute; inside a use, the model's attribute that inserted the block.</param>
    private sealed record Scope(INamedTypeSymbol Owner, INameScope Names, string? Prefix, LocationInfo? Location);

    /// <summary>One layer attribute being read.</summary>
    private sealed class Use
    {
        public Use(AttributeData attribute, int position, string declaration, Scope scope, LocationInfo? ownLocation)
        {
            Attribute = attribute;
            Position = position;
            Declaration = declaration;
            Scope = scope;
            Location = scope.Prefix is null ? ownLocation : scope.Location;
            Subject = scope.Prefix is null
                ? $"Layer {CSharpText.Int(position)} '{declaration}'"
                : $"{scope.Prefix}, layer {CSharpText.Int(position)} '{declaration}'";
        }

        public AttributeData Attribute { get; }

        public int Position { get; }

        public string Declaration { get; }

        public Scope Scope { get; }

        /// <summary>Where its problems are reported.</summary>
        public LocationInfo? Location { get; }

        /// <summary>How messages name it, e.g. <c>Layer 2 'Dense(10)'</c>.</summary>
        public string Subject { get; }
    }

    private sealed record ListResult(List<LayerSpec> Layers, EquatableArray<int>? Output, int Attributes, bool Complete);

    private sealed record UsedModel(EquatableArray<int> InputShape, EquatableArray<LayerSpec> Layers);
}
