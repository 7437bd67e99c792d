using Microsoft.CodeAnalysis;
using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>The diagnostics catalog: stable, unique IDs, each released and documented.</summary>
public sealed class CatalogTests
{
    public static TheoryData<string> Ids => new(DiagnosticDescriptors.All.Select(d => d.Id));

    [Fact]
    public void IdsAreUniqueAndInTheSharpShotCategory()
    {
        Assert.Equal(DiagnosticDescriptors.All.Count, DiagnosticDescriptors.All.Select(d => d.Id).Distinct().Count());
        Assert.All(DiagnosticDescriptors.All, d => Assert.Matches("^SS[0-9]{4}$", d.Id));
        Assert.All(DiagnosticDescriptors.All, d => Assert.Equal("SharpShot", d.Category));
        Assert.All(DiagnosticDescriptors.All, d => Assert.Same(d, DiagnosticDescriptors.ById(d.Id)));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdIsDocumented(string id)
    {
        string docs = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot, "docs", "diagnostics.md"));

        Assert.Contains($"## {id}", docs, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdIsInTheUnshippedRelease(string id)
    {
        string release = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot, "generators", "SharpShot.Generators", "AnalyzerReleases.Unshipped.md"));
        DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(id);

        Assert.Contains($"{id} | SharpShot | {descriptor.DefaultSeverity} |", release, StringComparison.Ordinal);
    }
}
