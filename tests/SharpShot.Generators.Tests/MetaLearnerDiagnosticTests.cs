using System.Globalization;
using Microsoft.CodeAnalysis;
using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>[MetaLearner]: each of its diagnostics at the argument (or attribute) that caused it, and nothing for a valid declaration.</summary>
public sealed class MetaLearnerDiagnosticTests
{
    private const string ConvBlock = """
        [Block]
        [Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
        public partial class ConvBlock;
        """;

    [Theory]
    [InlineData("Ways = 1", "Ways must be at least 2, but is 1")]
    [InlineData("Shots = 0", "Shots must be at least 1, but is 0")]
    [InlineData("Queries = -3", "Queries must be at least 1, but is -3")]
    [InlineData("InnerSteps = 0", "InnerSteps must be positive, but is 0")]
    [InlineData("EvaluationInnerSteps = -1", "EvaluationInnerSteps must be 0 (the same as InnerSteps) or positive, but is -1")]
    [InlineData("MetaBatch = -32", "MetaBatch must be 0 (the algorithm's default) or positive, but is -32")]
    [InlineData("Steps = 0", "Steps must be positive, but is 0")]
    [InlineData("InnerLearningRate = 0", "InnerLearningRate must be a positive finite number, but is 0")]
    [InlineData("InnerLearningRate = -0.5", "InnerLearningRate must be a positive finite number, but is -0.5")]
    [InlineData("InnerLearningRate = double.NaN", "InnerLearningRate must be a positive finite number, but is NaN")]
    [InlineData("MetaLearningRate = double.PositiveInfinity", "MetaLearningRate must be a positive finite number, but is Infinity")]
    [InlineData("MetaLearningRate = -1e-3", "MetaLearningRate must be a positive finite number, but is -0.001")]
    [InlineData("Task = (MetaTaskKind)4", "Task must be a named MetaTaskKind, but is 4")]
    [InlineData("NonFiniteSteps = (NonFiniteSteps)5", "NonFiniteSteps must be a named NonFiniteSteps, but is 5")]
    public void SS0017_SettingOutOfRange(string setting, string expected)
    {
        string attribute = $"MetaLearner(MetaAlgorithm.Maml, {setting})";
        string source = $"using SharpShot;\n[Model(4)]\n[Dense(5)]\n[{attribute}]\npublic partial class Bad;\n";

        Assert.Equal($"'{attribute}': {expected}", DiagnosticTests.AssertSingle(source, "SS0017", at: setting));
    }

    [Theory]
    [InlineData("ProtoNet")]
    [InlineData("Reptile")]
    public void SS0017_MultiStepLossOnAnAlgorithmWithoutAQueryLossPerStep(string algorithm)
    {
        string attribute = $"MetaLearner(MetaAlgorithm.{algorithm}, InnerSteps = 5, MultiStepLoss = true)";
        string source = $"using SharpShot;\n[Model(4)]\n[Dense(5)]\n[{attribute}]\npublic partial class Bad;\n";

        Assert.Equal(
            $"'{attribute}': MultiStepLoss must be false for {algorithm} (it applies to Maml, FoMaml, Anil and MetaSgd), but is true",
            DiagnosticTests.AssertSingle(source, "SS0017", at: "MultiStepLoss = true"));
    }

    [Theory]
    [InlineData("InnerSteps = 3, MultiStepLossWeights = new[] { 1.0, 1, 1 }", "MultiStepLossWeights must be unset unless MultiStepLoss = true, but is { 1, 1, 1 }")]
    [InlineData("InnerSteps = 3, MultiStepLoss = true, MultiStepLossWeights = new[] { 1.0, 1 }", "MultiStepLossWeights must be one weight per inner step (3), but is { 1, 1 }")]
    [InlineData("InnerSteps = 2, MultiStepLoss = true, MultiStepLossWeights = new[] { 1.0, -0.5 }", "MultiStepLossWeights must be non-negative finite numbers, not all zero, but is { 1, -0.5 }")]
    [InlineData("InnerSteps = 2, MultiStepLoss = true, MultiStepLossWeights = new[] { 0.0, 0 }", "MultiStepLossWeights must be non-negative finite numbers, not all zero, but is { 0, 0 }")]
    [InlineData("InnerSteps = 2, MultiStepLoss = true, MultiStepLossWeights = new[] { double.NaN, 1 }", "MultiStepLossWeights must be non-negative finite numbers, not all zero, but is { NaN, 1 }")]
    public void SS0017_MultiStepLossWeightsThatDoNotFitTheInnerSteps(string settings, string expected)
    {
        string attribute = $"MetaLearner(MetaAlgorithm.Maml, {settings})";
        string source = $"using SharpShot;\n[Model(4)]\n[Dense(5)]\n[{attribute}]\npublic partial class Bad;\n";

        Assert.Equal($"'{attribute}': {expected}", DiagnosticTests.AssertSingle(source, "SS0017", at: settings[settings.IndexOf("MultiStepLossWeights", StringComparison.Ordinal)..]));
    }

    [Fact]
    public void SS0017_AlgorithmThatIsNotAMetaAlgorithm()
    {
        const string source = "using SharpShot;\n[Model(4)]\n[Dense(5)]\n[MetaLearner((MetaAlgorithm)9, Ways = 5)]\npublic partial class Bad;\n";

        string message = DiagnosticTests.AssertSingle(source, "SS0017", at: "(MetaAlgorithm)9");
        Assert.Equal("'MetaLearner((MetaAlgorithm)9, Ways = 5)': Algorithm must be a named MetaAlgorithm, but is 9", message);
    }

    [Fact]
    public void SS0017_EverySettingIsReportedAtItsOwnArgument()
    {
        const string source = "using SharpShot;\n[Model(4)]\n[Dense(5)]\n[MetaLearner(MetaAlgorithm.Anil, Ways = 5, Shots = 0, Steps = -1)]\npublic partial class Bad;\n";

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(new[] { "SS0017", "SS0017" }, run.Diagnostics.Select(d => d.Id));
        Assert.Equal(DiagnosticTests.SpanOf(source, "Shots = 0"), run.Diagnostics[0].Location.SourceSpan);
        Assert.Equal(DiagnosticTests.SpanOf(source, "Steps = -1"), run.Diagnostics[1].Location.SourceSpan);
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void SS0017_IsReportedAlongsideLayerMistakes()
    {
        const string source = "using SharpShot;\n[Model(4)]\n[Dense(0)]\n[MetaLearner(MetaAlgorithm.Maml, Queries = 0)]\npublic partial class Bad;\n";

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(new[] { "SS0004", "SS0017" }, run.Diagnostics.Select(d => d.Id));
        Assert.Equal(DiagnosticTests.SpanOf(source, "Dense(0)"), run.Diagnostics[0].Location.SourceSpan);
        Assert.Equal(DiagnosticTests.SpanOf(source, "Queries = 0"), run.Diagnostics[1].Location.SourceSpan);
    }

    [Theory]
    [InlineData("Maml")]
    [InlineData("FoMaml")]
    [InlineData("Reptile")]
    [InlineData("Anil")]
    [InlineData("MetaSgd")]
    public void SS0018_MamlFamilyClassifierWithoutWaysLogits(string algorithm)
    {
        // No Ways written: the default 5 applies, and the diagnostic is at the attribute.
        string attribute = $"MetaLearner(MetaAlgorithm.{algorithm})";
        string source = $"using SharpShot;\n{ConvBlock}\n[Model(1, 28, 28)]\n[Repeat(typeof(ConvBlock), 4), Flatten]\n[{attribute}]\npublic partial class Embedding;\n";

        string message = DiagnosticTests.AssertSingle(source, "SS0018", at: attribute);
        Assert.Equal($"{algorithm} classifies 5-way episodes, so the model must output 5 logits; it outputs [64]", message);
    }

    [Fact]
    public void SS0018_IsReportedAtWaysWhenWritten()
    {
        const string source = "using SharpShot;\n[Model(1, 28, 28)]\n[Flatten, Dense(5)]\n[MetaLearner(MetaAlgorithm.Maml, Ways = 20, Shots = 5)]\npublic partial class Omniglot20;\n";

        string message = DiagnosticTests.AssertSingle(source, "SS0018", at: "Ways = 20");
        Assert.Equal("Maml classifies 20-way episodes, so the model must output 20 logits; it outputs [5]", message);
    }

    [Fact]
    public void SS0018_AnOutputOfAnotherRankDoesNotFit()
    {
        const string source = "using SharpShot;\n[Model(1, 8, 8)]\n[Conv2d(5, 8)]\n[MetaLearner(MetaAlgorithm.FoMaml, Ways = 5)]\npublic partial class NotFlat;\n";

        string message = DiagnosticTests.AssertSingle(source, "SS0018", at: "Ways = 5");
        Assert.Equal("FoMaml classifies 5-way episodes, so the model must output 5 logits; it outputs [5, 1, 1]", message);
    }

    [Fact]
    public void SS0019_ProtoNetForRegression()
    {
        const string source = "using SharpShot;\n[Model(1)]\n[Dense(40), Relu, Dense(1)]\n[MetaLearner(MetaAlgorithm.ProtoNet, Task = MetaTaskKind.Regression)]\npublic partial class Sine;\n";

        string message = DiagnosticTests.AssertSingle(source, "SS0019", at: "Task = MetaTaskKind.Regression");
        Assert.StartsWith("ProtoNet classifies by the nearest class prototype and cannot learn regression tasks", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[MetaLearner(MetaAlgorithm.Maml, Ways = 5)]\npublic partial class Plain;", "Plain")]
    [InlineData("[MetaLearner(MetaAlgorithm.Maml, Ways = 5)]\npublic class NotPartial { }", "NotPartial")]
    [InlineData("[Block]\n[Dense(5)]\n[MetaLearner(MetaAlgorithm.Maml, Ways = 5)]\npublic partial class Head;", "Head")]
    public void SS0020_MetaLearnerWithoutModel(string declaration, string className)
    {
        string source = $"using SharpShot;\n{declaration}\n";

        string message = DiagnosticTests.AssertSingle(source, "SS0020", at: "MetaLearner(MetaAlgorithm.Maml, Ways = 5)");
        Assert.Equal($"Class '{className}' has [MetaLearner] but no [Model]; add [Model(...)] with its input shape and layers, or move [MetaLearner] to the model that should be meta-trained", message);
    }

    [Fact]
    public void SS0020_NotReportedWhenAnotherPartOfTheClassIsTheModel()
    {
        const string first = "using SharpShot;\n[MetaLearner(MetaAlgorithm.Maml)]\npublic partial class Split;\n";
        const string second = "using SharpShot;\n[Model(4)]\n[Dense(5)]\npublic partial class Split;\n";

        GeneratorRun run = GeneratorHarness.Run(first, second);

        Assert.Empty(run.Diagnostics);
        Assert.Contains("MetaLearningDefaults", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void SS0021_DropoutInAMamlFamilyModelWarnsButTheModelIsGenerated()
    {
        const string source = "using SharpShot;\n[Model(784)]\n[Dense(64), Relu, Dropout(0.5), Dense(5)]\n[MetaLearner(MetaAlgorithm.Maml, Ways = 5)]\npublic partial class Dropped;\n";

        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("SS0021", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(DiagnosticTests.SpanOf(source, "MetaAlgorithm.Maml"), diagnostic.Location.SourceSpan);
        Assert.Equal(
            "Maml adapts and evaluates with training-mode forwards, so the dropout in layer 3 'Dropout(0.5)' stays active in the inner loop and at evaluation; remove it, or meta-train with ProtoNet",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Contains("public global::SharpShot.FewShot.MetaLearner CreateMetaLearner(", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void SS0021_FindsDropoutInsideBlocksAndNamesEachLayerOnce()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Dense(16), Dropout(0.1)]
            public partial class Dropping;

            [Model(16)]
            [Repeat(typeof(Dropping), 2), Dropout(0.2), Dense(5)]
            [MetaLearner(MetaAlgorithm.Reptile)]
            public partial class Nested;
            """;

        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("SS0021", diagnostic.Id);
        Assert.Equal(DiagnosticTests.SpanOf(source, "MetaAlgorithm.Reptile"), diagnostic.Location.SourceSpan);
        Assert.Contains("the dropout in layer 1 'Repeat(typeof(Dropping), 2)' and layer 2 'Dropout(0.2)' stays active", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Single(run.Result.GeneratedSources);
    }

    [Fact]
    public void SS0021_NotReportedForProtoNet()
    {
        const string source = "using SharpShot;\n[Model(784)]\n[Dense(64), Relu, Dropout(0.5), Dense(32)]\n[MetaLearner(MetaAlgorithm.ProtoNet)]\npublic partial class Embedding;\n";

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Result.GeneratedSources);
    }

    public static TheoryData<string> ValidDeclarations => new()
    {
        // A ProtoNet embedding of any shape, with every setting at its default.
        $"{ConvBlock}\n[Model(1, 28, 28)]\n[Repeat(typeof(ConvBlock), 4), Flatten]\n[MetaLearner(MetaAlgorithm.ProtoNet)]\npublic partial class Embedding;",
        // The MAML family with Ways logits, and with every setting written.
        "[Model(1, 28, 28)]\n[Flatten, Dense(5)]\n[MetaLearner(MetaAlgorithm.Maml, Ways = 5, InnerLearningRate = 0.4, MetaBatch = 32)]\npublic partial class Maml5;",
        "[Model(1, 28, 28)]\n[Flatten, Dense(20), Softmax]\n[MetaLearner(MetaAlgorithm.Anil, Task = MetaTaskKind.Classification, Ways = 20, Shots = 5, Queries = 5, InnerSteps = 5, "
            + "EvaluationInnerSteps = 10, InnerLearningRate = 0.1, MetaBatch = 16, MetaLearningRate = 1e-4, Steps = 1, Seed = -3)]\npublic partial class Anil20;",
        // Zero means "the default" for EvaluationInnerSteps and MetaBatch.
        "[Model(8)]\n[Dense(2)]\n[MetaLearner(MetaAlgorithm.FoMaml, Ways = 2, EvaluationInnerSteps = 0, MetaBatch = 0)]\npublic partial class Binary;",
        // Regression with the MAML family: any output.
        "[Model(1)]\n[Dense(40), Relu, Dense(1)]\n[MetaLearner(MetaAlgorithm.MetaSgd, Task = MetaTaskKind.Regression, Shots = 10, Queries = 10)]\npublic partial class Sine;",
        // Alongside [Train], with the algorithm named.
        "[Model(4)]\n[Dense(5)]\n[Train(Epochs = 2)]\n[MetaLearner(algorithm: MetaAlgorithm.Reptile, Ways = 5)]\npublic partial class Both;",
    };

    [Theory]
    [MemberData(nameof(ValidDeclarations))]
    public void AValidDeclarationReportsNothingAndGetsTheMembers(string declaration)
    {
        GeneratorRun run = GeneratorHarness.Run($"using SharpShot;\n{declaration}\n");

        Assert.Empty(run.Diagnostics);
        string source = Assert.Single(run.Result.GeneratedSources).SourceText.ToString();
        Assert.Contains("public global::SharpShot.FewShot.MetaLearnerOptions MetaLearningDefaults => new()", source, StringComparison.Ordinal);
        Assert.Contains("CreateMetaLearner(global::SharpShot.FewShot.MetaLearnerOptions? options = null) => new(this, options ?? MetaLearningDefaults);", source, StringComparison.Ordinal);
    }

    [Fact]
    public void EmittedSettingsAreRoundTrippableAndCultureInvariant()
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            string source = GeneratorHarness.Run(TestModels.SinusoidMetaSgd).SingleSource;

            Assert.Contains("Algorithm = global::SharpShot.MetaAlgorithm.MetaSgd,", source, StringComparison.Ordinal);
            Assert.Contains("Task = global::SharpShot.MetaTaskKind.Regression,", source, StringComparison.Ordinal);
            Assert.Contains("EvaluationInnerSteps = 10,", source, StringComparison.Ordinal);
            Assert.Contains("InnerLearningRate = 0.01,", source, StringComparison.Ordinal);
            Assert.Contains("LearningRate = 0.30000000000000004,", source, StringComparison.Ordinal);
            Assert.Contains("Steps = 70000,", source, StringComparison.Ordinal);
            Assert.Contains("MultiStepLoss = true,", source, StringComparison.Ordinal);
            Assert.Contains("MultiStepLossWeights = new double[] { 2, 0.5 },", source, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void MetaLearnerDiagnosticsAreInTheCatalog()
    {
        Assert.Equal(DiagnosticSeverity.Warning, DiagnosticDescriptors.ById("SS0021").DefaultSeverity);
        Assert.All(new[] { "SS0017", "SS0018", "SS0019", "SS0020" }, id => Assert.Equal(DiagnosticSeverity.Error, DiagnosticDescriptors.ById(id).DefaultSeverity));
    }
}
