using Microsoft.CodeAnalysis;
using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>The generated code against the real runtime: it must compile without errors or warnings.</summary>
public sealed class RuntimeCompilationTests
{
    [Theory]
    [InlineData(TestModels.FashionCnn)]
    [InlineData(TestModels.DigitsMlp)]
    [InlineData(TestModels.StridedCnn)]
    [InlineData(TestModels.NestedModel)]
    [InlineData(TestModels.ParameterFree)]
    [InlineData(TestModels.SoftmaxOnly)]
    [InlineData(TestModels.TinyResNet)]
    [InlineData(TestModels.OmniglotEmbedding)]
    [InlineData(TestModels.UsedModel)]
    [InlineData(TestModels.LayerZoo)]
    [InlineData(TestModels.TextClassifier)]
    [InlineData(TestModels.OmniglotMaml)]
    [InlineData(TestModels.SinusoidMetaSgd)]
    public void GeneratedModelCompilesAgainstTheRuntime(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.NotEmpty(run.Result.GeneratedSources);
        Assert.Empty(run.Diagnostics);
        // Errors anywhere; warnings (XML docs included) in the generated file. The test sources need not document themselves.
        Diagnostic[] problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !run.Input.SyntaxTrees.Contains(tree)))
            .ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(d => d.ToString())));
    }

    [Fact]
    public void UserCodeCanUseTheGeneratedMembers()
    {
        const string usage = """
            namespace Demo;

            public static class Usage
            {
                public static string Describe()
                {
                    var model = new FashionCnn(seed: 1);
                    SharpShot.SequentialModel asBase = model;
                    var options = model.TrainingDefaults with { Epochs = 3 };
                    return model.Summary() + asBase.ParameterCount + model.InputShape[0] + options.Epochs + model.OutputsProbabilities;
                }
            }
            """;

        GeneratorRun run = GeneratorHarness.Run(TestModels.FashionCnn, usage);

        Diagnostic[] errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(d => d.ToString())));
    }

    [Fact]
    public void UserCodeCanUseTheMetaLearningMembers()
    {
        const string usage = """
            namespace Demo.Maml;

            public static class Usage
            {
                public static int Describe()
                {
                    var model = new OmniglotMaml(seed: 1);
                    SharpShot.FewShot.MetaLearnerOptions options = model.MetaLearningDefaults with { Steps = 3 };
                    using SharpShot.FewShot.MetaLearner learner = model.CreateMetaLearner(options);
                    using SharpShot.FewShot.MetaLearner defaults = model.CreateMetaLearner();
                    return learner.Options.Steps + defaults.Options.Ways;
                }
            }
            """;

        GeneratorRun run = GeneratorHarness.Run(TestModels.OmniglotMaml, usage);

        Diagnostic[] errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(d => d.ToString())));
    }

    [Fact]
    public void OnlyMetaLearnersGetTheMetaLearningMembers()
    {
        string source = GeneratorHarness.Run(TestModels.OmniglotEmbedding).Result.GeneratedSources.Single().SourceText.ToString();

        Assert.DoesNotContain("MetaLearningDefaults", source, StringComparison.Ordinal);
        Assert.DoesNotContain("CreateMetaLearner", source, StringComparison.Ordinal);
    }
}
