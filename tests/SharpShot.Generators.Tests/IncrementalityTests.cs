using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>The run reasons of the tracked steps after edits: what the IDE does on every keystroke.</summary>
public sealed class IncrementalityTests
{
    private const string Unrelated = """
        namespace Other;

        public sealed class Unrelated
        {
            public int Value => 1;
        }
        """;

    [Fact]
    public void AnEditInAnotherFileLeavesTheOutputCached()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(TestModels.FashionCnn, tree => tree.Index == 1, text => "// a comment\n" + text);

        Assert.Single(first.GeneratedSources);
        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertOutputReasons(second, IncrementalStepRunReason.Cached);
        Assert.Equal(first.GeneratedSources[0].SourceText.ToString(), second.GeneratedSources[0].SourceText.ToString());
    }

    [Fact]
    public void MovingTheModelDownItsFileDoesNotReEmitIt()
    {
        // The model holds no locations, so shifting every line of its file leaves it equal.
        (_, GeneratorRunResult second) = RunTwice(TestModels.FashionCnn, tree => tree.Index == 0, text => "// a comment\n\n" + text);

        AssertReasons(second, TrackingNames.Parse, IncrementalStepRunReason.Unchanged);
        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertOutputReasons(second, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void ChangingALayerReEmitsTheModel()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(TestModels.FashionCnn, tree => tree.Index == 0, text => text.Replace("Dense(10)", "Dense(20)", StringComparison.Ordinal));

        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Modified);
        AssertOutputReasons(second, IncrementalStepRunReason.Modified);
        Assert.Contains("units: 20", second.GeneratedSources[0].SourceText.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("units: 20", first.GeneratedSources[0].SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DiagnosticsFollowTheirAttributeWhenTheFileChanges()
    {
        const string broken = "using SharpShot;\n[Model(784)]\n[Conv2d(8, 3)]\npublic partial class FlatConv;\n";
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(broken, tree => tree.Index == 0, text => "\n" + text);

        Assert.Equal(2, first.Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal(3, second.Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line);
        AssertReasons(second, TrackingNames.Diagnostics, IncrementalStepRunReason.Modified);
    }

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(string model, Func<(SyntaxTree Tree, int Index), bool> edited, Func<string, string> edit)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(model, Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();

        SyntaxTree tree = compilation.SyntaxTrees.Select((t, i) => (Tree: t, Index: i)).Single(edited).Tree;
        SyntaxTree changed = tree.WithChangedText(SourceText.From(edit(tree.GetText().ToString())));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, changed));
        return (first, driver.GetRunResult().Results.Single());
    }

    private static void AssertReasons(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        IncrementalStepRunReason[] reasons = result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Contains(reason, allowed));
    }

    private static void AssertOutputReasons(GeneratorRunResult result, IncrementalStepRunReason expected)
    {
        IncrementalStepRunReason[] reasons = result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.Equal(expected, reason));
    }
}
