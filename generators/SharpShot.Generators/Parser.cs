using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Composition;
using SharpShot.Generators.Layers;
using SharpShot.Generators.Model;
using SharpShot.Generators.Settings;

namespace SharpShot.Generators;

/// <summary>
/// Turns one [Model] class into a <see cref="ModelSpec"/> and the diagnostics for its mistakes.
/// Everything symbolic is read here and only here; what leaves is plain data.
/// </summary>
internal sealed class Parser
{
    internal const string ModelAttributeName = Symbols.ModelAttributeName;
    private const string TrainAttributeName = "SharpShot.TrainAttribute";
    private const string SequentialModelName = Symbols.SequentialModelName;

    private readonly INamedTypeSymbol _type;
    private readonly TypeDeclarationSyntax _declaration;
    private readonly AttributeData _modelAttribute;
    private readonly Compilation _compilation;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    private Parser(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData modelAttribute, Compilation compilation, CancellationToken cancellationToken)
    {
        _type = type;
        _declaration = declaration;
        _modelAttribute = modelAttribute;
        _compilation = compilation;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The pipeline's transform. Never throws except to cancel: a failure becomes SS9999 at the class.</summary>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration || context.Attributes.IsEmpty)
        {
            return ParseResult.Nothing;
        }

        try
        {
            return new Parser(type, declaration, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken).ParseModel();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            DiagnosticInfo error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(declaration.Identifier), type.Name, exception.Message);
            return new ParseResult(null, EquatableArray.Of(error));
        }
    }

    private ParseResult ParseModel()
    {
        // User code the compiler already rejects yields no output and no diagnostics of ours: the
        // compiler's errors say what is wrong, and guessing past them would add misleading ones.
        // [Model] on two partial declarations (CS0579) would also make two files with one name; [MetaLearner]
        // twice (CS0579 too) would leave the settings ambiguous.
        if (!IsSupportedDeclaration() || Symbols.HasBindingErrors(_type) || _type.GetAttributes().Count(IsModelAttribute) > 1
            || _type.GetAttributes().Count(IsMetaLearnerAttribute) > 1)
        {
            return Result(null);
        }

        EquatableArray<int>? inputShape = ReadInputShape();
        TrainingSpec training = ReadTraining();
        AttributeData? metaLearner = _type.GetAttributes().FirstOrDefault(IsMetaLearnerAttribute);
        MetaLearningSpec? metaLearning = metaLearner is null ? null : ReadMetaLearning(metaLearner);
        int beforeLayers = _diagnostics.Count;
        ModelLayers read = new LayerReader(_compilation, _cancellationToken).ReadModel(_type, inputShape, _diagnostics);
        if (read.Attributes == 0)
        {
            Report(DiagnosticDescriptors.NoLayers, LocationOf(_modelAttribute), "Model", _type.Name);
        }

        // Whether the model fits its meta-learner is known once every layer's shape is.
        bool inferred = inputShape is not null && read.Layers.Count > 0 && _diagnostics.Count == beforeLayers && !read.InsertedClassFailed;
        if (metaLearner is not null && metaLearning is not null && inferred)
        {
            CheckMetaLearnerFits(metaLearner, metaLearning, read.Layers);
        }

        // A block or used model with mistakes of its own reports them where it is declared; this model just gets no code.
        // Warnings (SS0021) leave it generated.
        if (_diagnostics.Any(diagnostic => diagnostic.IsError) || read.InsertedClassFailed)
        {
            return Result(null);
        }

        string? ns = _type.ContainingNamespace.IsGlobalNamespace
            ? null
            : _type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
        var model = new ModelSpec(ns, ReadContainingTypes(), _type.Name, AccessibilityKeyword(_type.DeclaredAccessibility), inputShape!.Value, read.Layers, training, metaLearning);
        return Result(model);
    }

    private ParseResult Result(ModelSpec? model) => new(model, _diagnostics.ToEquatableArray());

    private bool IsSupportedDeclaration()
    {
        if (_type.TypeKind != TypeKind.Class)
        {
            return false; // [Model] is class-only: the compiler reports CS0592.
        }

        LocationInfo? identifier = LocationInfo.From(_declaration.Identifier);
        bool supported = true;
        void Unsupported(string reason)
        {
            Report(DiagnosticDescriptors.UnsupportedDeclaration, identifier, _type.Name, reason);
            supported = false;
        }

        supported &= RequirePartial(_type, "Model class");
        for (INamedTypeSymbol? container = _type.ContainingType; container is not null; container = container.ContainingType)
        {
            if (container.TypeParameters.Length > 0)
            {
                Unsupported($"it is nested in the generic type '{container.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'");
            }

            supported &= RequirePartial(container, "Containing type");
        }

        // IsGenericType would also be true for a class nested in a generic one, reported above.
        if (_type.TypeParameters.Length > 0)
        {
            Unsupported("generic classes are not supported");
        }

        if (_type.IsRecord)
        {
            Unsupported("records are not supported; declare a class");
        }

        if (_type.IsStatic)
        {
            Unsupported("static classes are not supported");
        }

        if (Declarations(_type).Any(declaration => declaration.Modifiers.Any(SyntaxKind.FileKeyword)))
        {
            Unsupported("file-local classes are not supported");
        }

        INamedTypeSymbol? baseType = _type.BaseType;
        if (baseType is not null && baseType.SpecialType != SpecialType.System_Object && FullName(baseType) != SequentialModelName)
        {
            if (baseType.TypeKind == TypeKind.Error)
            {
                return false;
            }

            Unsupported($"it declares the base class '{baseType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}', but a model derives from SharpShot.SequentialModel");
        }

        return supported;
    }

    private bool RequirePartial(INamedTypeSymbol type, string role)
    {
        bool partial = true;
        foreach (TypeDeclarationSyntax declaration in Declarations(type))
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(DiagnosticDescriptors.NotPartial, LocationInfo.From(declaration.Identifier), role, type.Name);
                partial = false;
            }
        }

        return partial;
    }

    private IEnumerable<TypeDeclarationSyntax> Declarations(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(_cancellationToken)).OfType<TypeDeclarationSyntax>();

    private EquatableArray<int>? ReadInputShape()
    {
        string subject = $"'{Written(_modelAttribute)}'";
        LocationInfo? location = LocationOf(_modelAttribute);
        int[]? dimensions = Symbols.InputShape(_modelAttribute, (what, constraint, actual) => Require(false, location, subject, what, constraint, actual));
        return dimensions is null ? null : new EquatableArray<int>(dimensions);
    }

    private TrainingSpec ReadTraining()
    {
        AttributeData? train = _type.GetAttributes().FirstOrDefault(attribute => attribute.AttributeClass is { } type && FullName(type) == TrainAttributeName);
        TrainingSpec defaults = TrainingSpec.Default;
        if (train is null)
        {
            return defaults;
        }

        var arguments = new AttributeArguments(train);
        string subject = $"'{Written(train)}'";
        LocationInfo? location = LocationOf(train);
        int epochs = arguments.Int("Epochs", defaults.Epochs);
        int batchSize = arguments.Int("BatchSize", defaults.BatchSize);
        double learningRate = arguments.Double("LearningRate", defaults.LearningRate);
        double momentum = arguments.Double("Momentum", defaults.Momentum);
        int seed = arguments.Int("Seed", defaults.Seed);

        // Comparisons are written so that NaN fails them.
        Require(epochs > 0, location, subject, "Epochs", "positive", CSharpText.Int(epochs));
        Require(batchSize > 0, location, subject, "BatchSize", "positive", CSharpText.Int(batchSize));
        Require(learningRate > 0 && !double.IsInfinity(learningRate), location, subject, "LearningRate", "positive and finite", CSharpText.Double(learningRate));
        Require(momentum >= 0 && !double.IsInfinity(momentum), location, subject, "Momentum", "zero or positive and finite", CSharpText.Double(momentum));

        OptimizerKind? optimizer = defaults.Optimizer;
        if (arguments.Property("Optimizer") is { } optimizerConstant)
        {
            optimizer = Symbols.EnumMember<OptimizerKind>(optimizerConstant);
            Require(optimizer is not null, location, subject, "Optimizer", "a named OptimizerKind", ConstantText(optimizerConstant));
        }

        NonFiniteSteps? nonFiniteSteps = defaults.NonFiniteSteps;
        if (arguments.Property("NonFiniteSteps") is { } nonFiniteConstant)
        {
            nonFiniteSteps = Symbols.EnumMember<NonFiniteSteps>(nonFiniteConstant);
            Require(nonFiniteSteps is not null, location, subject, "NonFiniteSteps", "a named NonFiniteSteps", ConstantText(nonFiniteConstant));
        }

        // An invalid optimizer or NonFiniteSteps was reported: the model gets no code, whatever this holds.
        return new TrainingSpec(epochs, batchSize, optimizer ?? defaults.Optimizer, learningRate, momentum, seed, nonFiniteSteps ?? defaults.NonFiniteSteps);
    }

    /// <summary>Reads [MetaLearner] and reports its invalid settings at their arguments; null when the algorithm or task is not a named one.</summary>
    private MetaLearningSpec? ReadMetaLearning(AttributeData attribute)
    {
        var arguments = new AttributeArguments(attribute);
        string subject = $"'{Written(attribute)}'";
        int ways = arguments.Int("Ways", Defaults.MetaLearning.Ways);
        int shots = arguments.Int("Shots", Defaults.MetaLearning.Shots);
        int queries = arguments.Int("Queries", Defaults.MetaLearning.Queries);
        int innerSteps = arguments.Int("InnerSteps", Defaults.MetaLearning.InnerSteps);
        double[]? multiStepLossWeights = arguments.DoubleArray("MultiStepLossWeights");
        double innerLearningRate = arguments.Double("InnerLearningRate", Defaults.MetaLearning.InnerLearningRate);
        double metaLearningRate = arguments.Double("MetaLearningRate", Defaults.MetaLearning.LearningRate);
        int steps = arguments.Int("Steps", Defaults.MetaLearning.Steps);
        int seed = arguments.Int("Seed", Defaults.MetaLearning.Seed);

        // The attribute's own "unset" values, which the runtime's options write as null: InnerSteps at evaluation, the
        // algorithm's meta-batch, one query loss.
        int evaluationInnerSteps = arguments.Int("EvaluationInnerSteps", 0);
        int metaBatch = arguments.Int("MetaBatch", 0);
        bool multiStepLoss = arguments.Bool("MultiStepLoss", false);

        bool RequireSetting(bool condition, string property, string constraint, string actual)
        {
            if (!condition)
            {
                Report(DiagnosticDescriptors.MetaLearnerOutOfRange, Symbols.PropertyLocation(attribute, property, _cancellationToken), subject, property, constraint, actual);
            }

            return condition;
        }

        TypedConstant algorithmConstant = arguments.ConstructorArgument("algorithm");
        MetaAlgorithm? algorithm = Symbols.EnumMember<MetaAlgorithm>(algorithmConstant);
        if (algorithm is null)
        {
            Report(DiagnosticDescriptors.MetaLearnerOutOfRange, Symbols.SingleConstructorArgumentLocation(attribute, "algorithm", _cancellationToken),
                subject, "Algorithm", "a named MetaAlgorithm", ConstantText(algorithmConstant));
        }

        MetaAlgorithmTraits? traits = algorithm is { } named ? MetaAlgorithmTraits.Of(named) : null;
        MetaTaskKind? task = Defaults.MetaLearning.Task;
        if (arguments.Property("Task") is { } taskConstant)
        {
            task = Symbols.EnumMember<MetaTaskKind>(taskConstant);
            RequireSetting(task is not null, "Task", "a named MetaTaskKind", ConstantText(taskConstant));
        }

        // Comparisons are written so that NaN fails them.
        RequireSetting(ways >= 2, "Ways", "at least 2", CSharpText.Int(ways));
        RequireSetting(shots >= 1, "Shots", "at least 1", CSharpText.Int(shots));
        RequireSetting(queries >= 1, "Queries", "at least 1", CSharpText.Int(queries));
        RequireSetting(innerSteps >= 1, "InnerSteps", "positive", CSharpText.Int(innerSteps));
        RequireSetting(evaluationInnerSteps >= 0, "EvaluationInnerSteps", "0 (the same as InnerSteps) or positive", CSharpText.Int(evaluationInnerSteps));
        RequireSetting(innerLearningRate > 0 && !double.IsInfinity(innerLearningRate), "InnerLearningRate", "a positive finite number", CSharpText.Double(innerLearningRate));
        RequireSetting(metaBatch >= 0, "MetaBatch", "0 (the algorithm's default) or positive", CSharpText.Int(metaBatch));
        RequireSetting(metaLearningRate > 0 && !double.IsInfinity(metaLearningRate), "MetaLearningRate", "a positive finite number", CSharpText.Double(metaLearningRate));
        RequireSetting(steps >= 1, "Steps", "positive", CSharpText.Int(steps));

        if (multiStepLoss && traits is { SupportsMultiStepLoss: false })
        {
            Report(DiagnosticDescriptors.MetaLearnerOutOfRange, Symbols.PropertyLocation(attribute, "MultiStepLoss", _cancellationToken),
                subject, "MultiStepLoss", $"false for {algorithm} (it applies to {MetaAlgorithmTraits.Names(t => t.SupportsMultiStepLoss)})", "true");
        }

        if (multiStepLossWeights is not null)
        {
            string written = $"{{ {string.Join(", ", multiStepLossWeights.Select(CSharpText.Double))} }}";
            if (RequireSetting(multiStepLoss, "MultiStepLossWeights", "unset unless MultiStepLoss = true", written)
                && RequireSetting(multiStepLossWeights.Length == innerSteps, "MultiStepLossWeights", $"one weight per inner step ({CSharpText.Int(innerSteps)})", written))
            {
                // Written so that NaN fails it.
                RequireSetting(multiStepLossWeights.All(w => w >= 0 && !double.IsInfinity(w)) && multiStepLossWeights.Sum() > 0,
                    "MultiStepLossWeights", "non-negative finite numbers, not all zero", written);
            }
        }

        NonFiniteSteps? nonFiniteSteps = Defaults.MetaLearning.NonFiniteSteps;
        if (arguments.Property("NonFiniteSteps") is { } nonFiniteConstant)
        {
            nonFiniteSteps = Symbols.EnumMember<NonFiniteSteps>(nonFiniteConstant);
            RequireSetting(nonFiniteSteps is not null, "NonFiniteSteps", "a named NonFiniteSteps", ConstantText(nonFiniteConstant));
        }

        if (task == MetaTaskKind.Regression && traits is { SupportsRegression: false })
        {
            Report(DiagnosticDescriptors.MetaLearnerTaskNotSupported, Symbols.PropertyLocation(attribute, "Task", _cancellationToken),
                string.Join(", ", MetaAlgorithmTraits.All.Where(t => t.SupportsRegression).Select(t => t.Algorithm)));
        }

        return algorithm is null || task is null || nonFiniteSteps is null
            ? null
            : new MetaLearningSpec(algorithm.Value, task.Value, ways, shots, queries, innerSteps, evaluationInnerSteps, innerLearningRate, metaBatch, metaLearningRate, steps, seed, multiStepLoss,
                (multiStepLossWeights ?? []).ToEquatableArray(), nonFiniteSteps.Value);
    }

    /// <summary>
    /// Checks the inferred model against its meta-learner: a MAML-family classifier must output exactly Ways logits
    /// (SS0018), and dropout in a MAML-family model stays active where it adapts and evaluates (SS0021, a warning).
    /// </summary>
    private void CheckMetaLearnerFits(AttributeData attribute, MetaLearningSpec metaLearning, EquatableArray<LayerSpec> layers)
    {
        if (!metaLearning.Traits.AdaptsWeights)
        {
            return; // The model is an embedding of any shape (Prototypical Networks), in evaluation mode at test time.
        }

        EquatableArray<int> output = layers[layers.Count - 1].OutputShape;
        if (metaLearning.Task == MetaTaskKind.Classification && metaLearning.Ways >= 2 && !(output.Count == 1 && output[0] == metaLearning.Ways))
        {
            Report(DiagnosticDescriptors.MetaLearnerOutputMismatch, Symbols.PropertyLocation(attribute, "Ways", _cancellationToken),
                metaLearning.Algorithm, CSharpText.Int(metaLearning.Ways), string.Join(", ", output.Select(d => CSharpText.Int(d))));
        }

        // The top-level layers that are, or contain (a block or used model), a Dropout; the repetitions of a Repeat share a position.
        List<string> dropouts = layers
            .Where(ContainsDropout)
            .GroupBy(layer => layer.Position)
            .Select(group => group.First())
            .Select(layer => $"layer {CSharpText.Int(layer.Position)} '{layer.Declaration}'")
            .ToList();
        if (dropouts.Count > 0)
        {
            Report(DiagnosticDescriptors.MetaLearnerDropout, Symbols.SingleConstructorArgumentLocation(attribute, "algorithm", _cancellationToken),
                metaLearning.Algorithm, string.Join(" and ", dropouts));
        }

        static bool ContainsDropout(LayerSpec layer) =>
            layer.Structure == LayerStructure.Layer ? layer.Kind == DropoutRule.KindName : layer.Children.Any(ContainsDropout);
    }

    private EquatableArray<ContainingTypeSpec> ReadContainingTypes()
    {
        var types = new List<ContainingTypeSpec>();
        for (INamedTypeSymbol? container = _type.ContainingType; container is not null; container = container.ContainingType)
        {
            string keyword = container.TypeKind switch
            {
                TypeKind.Struct => container.IsRecord ? "record struct" : "struct",
                TypeKind.Interface => "interface",
                _ => container.IsRecord ? "record" : "class",
            };
            types.Insert(0, new ContainingTypeSpec(keyword, container.Name));
        }

        return types.ToEquatableArray();
    }

    /// <summary>An attribute argument's value as written in messages, e.g. 9 for <c>(MetaAlgorithm)9</c>.</summary>
    private static string ConstantText(TypedConstant constant) => Convert.ToString(constant.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "null";

    private static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        Accessibility.Private => "private",
        _ => "internal",
    };

    private bool Require(bool condition, LocationInfo? location, string subject, string what, string constraint, string actual)
    {
        if (!condition)
        {
            Report(DiagnosticDescriptors.OutOfRange, location, subject, what, constraint, actual);
        }

        return condition;
    }

    private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    private LocationInfo? LocationOf(AttributeData attribute) => Symbols.LocationOf(attribute, _cancellationToken);

    private string Written(AttributeData attribute) => Symbols.Written(attribute, _cancellationToken);

    private static bool IsModelAttribute(AttributeData attribute) => Symbols.Is(attribute, ModelAttributeName);

    private static bool IsMetaLearnerAttribute(AttributeData attribute) => Symbols.Is(attribute, Symbols.MetaLearnerAttributeName);

    private static string FullName(INamedTypeSymbol type) => Symbols.FullName(type);
}
