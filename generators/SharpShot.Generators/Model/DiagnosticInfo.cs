using Microsoft.CodeAnalysis;
using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Model;

/// <summary>
/// A diagnostic as equatable data: the descriptor's ID, where it points and its message arguments.
/// <see cref="ToDiagnostic"/> rebuilds the Roslyn diagnostic when it is reported.
/// </summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
        new(descriptor.Id, location, arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty).ToEquatableArray());

    /// <summary>True when the descriptor is an error: a model with one gets no code (warnings leave it generated).</summary>
    public bool IsError => DiagnosticDescriptors.ById(Id).DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(DiagnosticDescriptors.ById(Id), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, Arguments.Cast<object>().ToArray());
}
