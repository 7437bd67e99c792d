using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SharpShot.Generators.Composition;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators;

/// <summary>
/// Checks one [Block] class on its own and reports its shape-independent mistakes at its attributes: bad sizes,
/// unknown layer kinds, names, compositions that name no block or model, and blocks that contain themselves.
/// Blocks are shape-polymorphic, so whether they fit is checked, and reported, where a model uses them.
/// Nothing is generated for a block.
/// </summary>
internal static class BlockParser
{
    /// <summary>The pipeline's transform. Never throws except to cancel: a failure becomes SS9999 at the class.</summary>
    public static EquatableArray<DiagnosticInfo> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration || context.Attributes.IsEmpty)
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        try
        {
            // A class that is also a [Model] is checked, with its input shape, by the model pipeline. Attributes the
            // compiler rejects (CS0579 for [Block] twice included) are the compiler's to report.
            if (type.GetAttributes().Any(attribute => Symbols.Is(attribute, Symbols.ModelAttributeName))
                || type.GetAttributes().Count(attribute => Symbols.Is(attribute, Symbols.BlockAttributeName)) > 1
                || Symbols.HasBindingErrors(type))
            {
                return EquatableArray<DiagnosticInfo>.Empty;
            }

            var diagnostics = new List<DiagnosticInfo>();
            if (new LayerReader(context.SemanticModel.Compilation, cancellationToken).CheckBlock(type, diagnostics) == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, Symbols.LocationOf(context.Attributes[0], cancellationToken), "Block", type.Name));
            }

            return diagnostics.ToEquatableArray();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return EquatableArray.Of(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(declaration.Identifier), type.Name, exception.Message));
        }
    }
}
