using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators;

/// <summary>
/// Generates a TorchSharp module, a Keras-style summary and an ONNX export for every
/// <c>[Model]</c> partial class, with every shape inferred at compile time; declaration mistakes
/// are reported as SSxxxx diagnostics at the attribute that caused them. <c>[Block]</c> classes get
/// no code: their layers are inserted, with shapes inferred anew, wherever a model uses them. A model with
/// <c>[MetaLearner]</c> also gets its settings as <c>MetaLearningDefaults</c> and a <c>CreateMetaLearner</c> factory.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // TypeDeclarationSyntax rather than ClassDeclarationSyntax: a [Model] record is then reported (SS0008) instead of ignored.
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.ModelAttributeName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => Parser.Parse(syntaxContext, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<ModelSpec> models = results
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.Models);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .Where(static list => list.Count > 0)
            .WithTrackingName(TrackingNames.Diagnostics);

        // [Block] classes get no code; their own mistakes (those that do not depend on where they are used) are reported here.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> blockDiagnostics = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Symbols.BlockAttributeName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => BlockParser.Parse(syntaxContext, cancellationToken))
            .Where(static list => list.Count > 0)
            .WithTrackingName(TrackingNames.BlockDiagnostics);

        // [MetaLearner] on a class that is not a [Model]; on a model the parser above reads it.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> metaLearnerDiagnostics = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Symbols.MetaLearnerAttributeName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => MetaLearnerParser.Parse(syntaxContext, cancellationToken))
            .Where(static list => list.Count > 0)
            .WithTrackingName(TrackingNames.MetaLearnerDiagnostics);

        context.RegisterSourceOutput(models, static (production, model) => EmitModel(production, model));
        context.RegisterSourceOutput(diagnostics, static (production, list) => Report(production, list));
        context.RegisterSourceOutput(blockDiagnostics, static (production, list) => Report(production, list));
        context.RegisterSourceOutput(metaLearnerDiagnostics, static (production, list) => Report(production, list));
    }

    private static void Report(SourceProductionContext production, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            production.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }

    private static void EmitModel(SourceProductionContext production, ModelSpec model)
    {
        try
        {
            // AddSource is inside too: it throws on a hint name it rejects. (Duplicates are caught later, by the
            // driver; the parser makes them impossible.)
            production.AddSource(model.HintName, SourceText.From(Emitter.Emit(model), Encoding.UTF8));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The model carries no location on purpose (moving the class must not re-emit it), so this one has none.
            production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model.ClassName, exception.Message));
        }
    }
}
