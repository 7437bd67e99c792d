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
    public void ChangingAMetaLearnerSettingReEmitsTheModel()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(TestModels.OmniglotMaml, tree => tree.Index == 0, text => text.Replace("MetaBatch = 32", "MetaBatch = 16", StringComparison.Ordinal));

        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Modified);
        AssertOutputReasons(second, IncrementalStepRunReason.Modified);
        Assert.Contains("MetaBatch = 16,", second.GeneratedSources[0].SourceText.ToString(), StringComparison.Ordinal);
        Assert.Contains("MetaBatch = 32,", first.GeneratedSources[0].SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AModelWithAWarningStaysCachedWhenItMovesAndTheWarningFollows()
    {
        const string warned = "using SharpShot;\n[Model(4)]\n[Dropout(0.5), Dense(5)]\n[MetaLearner(MetaAlgorithm.Maml)]\npublic partial class Dropped;\n";
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(warned, tree => tree.Index == 0, text => "\n" + text);

        Assert.Single(first.GeneratedSources);
        Assert.Equal(3, first.Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal(4, second.Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line);
        // The model, which carries no location, is unchanged; only the warning's output runs again.
        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertReasons(second, TrackingNames.Diagnostics, IncrementalStepRunReason.Modified);
        Assert.Equal(first.GeneratedSources[0].SourceText.ToString(), second.GeneratedSources[0].SourceText.ToString());
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

    private const string BlockUser = """
        using SharpShot;

        namespace Demo;

        [Model(1, 28, 28)]
        [Repeat(typeof(ConvBlock), 2), Flatten, Dense(10)]
        public partial class BlockUser;

        [Model(1, 28, 28)]
        [Use(typeof(UsedFeatures)), Dense(10)]
        public partial class ModelUser;
        """;

    private const string Blocks = """
        using SharpShot;

        namespace Demo;

        [Block]
        [Conv2d(8, 3, Padding = 1), Relu, MaxPool2d(2)]
        public partial class ConvBlock;

        [Model(1, 28, 28)]
        [Flatten, Dense(32)]
        public partial class UsedFeatures;
        """;

    [Fact]
    public void EditingABlockInAnotherFileReEmitsTheModelsThatUseIt()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(
            new[] { BlockUser, Blocks, Unrelated }, tree => tree.Index == 1, text => text.Replace("Conv2d(8, 3", "Conv2d(12, 3", StringComparison.Ordinal));

        Assert.Equal(3, first.GeneratedSources.Length);
        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        Assert.Single(second.TrackedSteps[TrackingNames.Models].SelectMany(run => run.Outputs), output => output.Reason == IncrementalStepRunReason.Modified);
        string blockUser = Generated(second, "Demo.BlockUser.g.cs");
        Assert.Contains("filters: 12", blockUser, StringComparison.Ordinal);
        Assert.DoesNotContain("filters: 12", Generated(first, "Demo.BlockUser.g.cs"), StringComparison.Ordinal);

        // BlockUser changed; ModelUser, which does not use the block, did not.
        IncrementalStepRunReason[] outputs = second.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();
        Assert.Contains(IncrementalStepRunReason.Modified, outputs);
        Assert.Equal(Generated(first, "Demo.ModelUser.g.cs"), Generated(second, "Demo.ModelUser.g.cs"));
    }

    [Fact]
    public void EditingAUsedModelInAnotherFileReEmitsTheModelThatUsesIt()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(
            new[] { BlockUser, Blocks, Unrelated }, tree => tree.Index == 1, text => text.Replace("Dense(32)", "Dense(48)", StringComparison.Ordinal));

        Assert.Contains("units: 48", Generated(second, "Demo.ModelUser.g.cs"), StringComparison.Ordinal);
        Assert.DoesNotContain("units: 48", Generated(first, "Demo.ModelUser.g.cs"), StringComparison.Ordinal);
        Assert.Equal(Generated(first, "Demo.BlockUser.g.cs"), Generated(second, "Demo.BlockUser.g.cs"));
    }

    [Fact]
    public void AnUnrelatedEditLeavesComposedModelsCached()
    {
        (_, GeneratorRunResult second) = RunTwice(
            new[] { BlockUser, Blocks, Unrelated }, tree => tree.Index == 2, text => "// a comment\n" + text);

        AssertReasons(second, TrackingNames.Models, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        AssertOutputReasons(second, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void ABlockMistakeIsReportedAtTheBlockAndTheModelWaits()
    {
        (GeneratorRunResult first, GeneratorRunResult second) = RunTwice(
            new[] { BlockUser, Blocks, Unrelated }, tree => tree.Index == 1, text => text.Replace("Conv2d(8, 3", "Conv2d(0, 3", StringComparison.Ordinal));

        Assert.Empty(first.Diagnostics);
        Diagnostic diagnostic = Assert.Single(second.Diagnostics);
        Assert.Equal("SS0004", diagnostic.Id);
        Assert.Equal("Source1.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.DoesNotContain(second.GeneratedSources, generated => generated.HintName == "Demo.BlockUser.g.cs");
        Assert.Contains(second.GeneratedSources, generated => generated.HintName == "Demo.ModelUser.g.cs");
    }

    private static string Generated(GeneratorRunResult result, string hintName) =>
        result.GeneratedSources.Single(generated => generated.HintName == hintName).SourceText.ToString();

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(string model, Func<(SyntaxTree Tree, int Index), bool> edited, Func<string, string> edit) =>
        RunTwice(new[] { model, Unrelated }, edited, edit);

    private static (GeneratorRunResult First, GeneratorRunResult Second) RunTwice(string[] sources, Func<(SyntaxTree Tree, int Index), bool> edited, Func<string, string> edit)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(sources);
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
