using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators;

/// <summary>
/// Reports [MetaLearner] on a class that is not a [Model] (SS0020): nothing would be generated for it. On a
/// [Model] class the attribute is read, and its settings checked, by <see cref="Parser"/>.
/// </summary>
internal static class MetaLearnerParser
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
            // [MetaLearner] is class-only (CS0592 otherwise) and single (CS0579); attributes that do not bind are the
            // compiler's to report. A class with [Model] on any of its parts is the model pipeline's.
            if (type.TypeKind != TypeKind.Class
                || type.GetAttributes().Any(attribute => Symbols.Is(attribute, Symbols.ModelAttributeName))
                || type.GetAttributes().Count(attribute => Symbols.Is(attribute, Symbols.MetaLearnerAttributeName)) > 1
                || Symbols.HasBindingErrors(type))
            {
                return EquatableArray<DiagnosticInfo>.Empty;
            }

            return EquatableArray.Of(DiagnosticInfo.Create(DiagnosticDescriptors.MetaLearnerWithoutModel, Symbols.LocationOf(context.Attributes[0], cancellationToken), type.Name));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return EquatableArray.Of(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(declaration.Identifier), type.Name, exception.Message));
        }
    }
}
