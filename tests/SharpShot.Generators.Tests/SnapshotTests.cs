using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>The generated source, compared with checked-in snapshots (SHARPSHOT_ACCEPT_SNAPSHOTS=1 to accept changes).</summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData(nameof(TestModels.FashionCnn), TestModels.FashionCnn, "Demo.FashionCnn.g.cs")]
    [InlineData(nameof(TestModels.DigitsMlp), TestModels.DigitsMlp, "Demo.Mlp.DigitsMlp.g.cs")]
    [InlineData(nameof(TestModels.StridedCnn), TestModels.StridedCnn, "Demo.StridedCnn.g.cs")]
    [InlineData(nameof(TestModels.NestedModel), TestModels.NestedModel, "Company.Vision.Zoo+Shelf+TinyNet.g.cs")]
    public void GeneratedSourceMatchesSnapshot(string name, string source, string hintName)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Assert.Equal(hintName, Assert.Single(run.Result.GeneratedSources).HintName);
        Snapshot.Verify(name, run.SingleSource);
    }

    [Theory]
    [InlineData(nameof(TestModels.TinyResNet), TestModels.TinyResNet, "Demo.Composed.TinyResNet.g.cs")]
    [InlineData(nameof(TestModels.OmniglotEmbedding), TestModels.OmniglotEmbedding, "Demo.FewShot.OmniglotEmbedding.g.cs")]
    [InlineData(nameof(TestModels.UsedModel), TestModels.UsedModel, "Demo.Reuse.Classifier.g.cs")]
    [InlineData(nameof(TestModels.LayerZoo), TestModels.LayerZoo, "Demo.LayerZoo.g.cs")]
    [InlineData(nameof(TestModels.TextClassifier), TestModels.TextClassifier, "Demo.Text.TextClassifier.g.cs")]
    [InlineData(nameof(TestModels.OmniglotMaml), TestModels.OmniglotMaml, "Demo.Maml.OmniglotMaml.g.cs")]
    public void ComposedAndNewLayerModelsMatchSnapshots(string name, string source, string hintName)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Empty(run.Diagnostics);
        Snapshot.Verify(name, Assert.Single(run.Result.GeneratedSources, generated => generated.HintName == hintName).SourceText.ToString());
    }

    [Fact]
    public void BlocksGetNoGeneratedCode()
    {
        GeneratorRun run = GeneratorHarness.Run(TestModels.TinyResNet);

        Assert.Equal(new[] { "Demo.Composed.TinyResNet.g.cs" }, run.Result.GeneratedSources.Select(generated => generated.HintName));
    }

    [Fact]
    public void ASoftmaxOnlyModelHasIdentityLogits()
    {
        string source = GeneratorHarness.Run(TestModels.SoftmaxOnly).SingleSource;

        Assert.Contains("Logits(global::TorchSharp.torch.Tensor input)\n    {\n        return input;\n    }", source, StringComparison.Ordinal);
        Assert.Contains("return softmax_1.forward(Logits(input));", source, StringComparison.Ordinal);
        Assert.Contains("var x = softmax_1.EmitOnnx(context, input);", source, StringComparison.Ordinal);
        Assert.Contains("public override bool OutputsProbabilities => true;", source, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelInTheGlobalNamespaceGetsItsClassNameAsHintName()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            [SharpShot.Model(4)]
            [SharpShot.Dense(2)]
            partial class Plain;
            """);

        Assert.Equal("Plain.g.cs", Assert.Single(run.Result.GeneratedSources).HintName);
        Assert.DoesNotContain("namespace", run.SingleSource, StringComparison.Ordinal);
        Assert.Contains("internal partial class Plain : global::SharpShot.SequentialModel", run.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void LayersAcrossAttributeListsKeepSourceOrder()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using SharpShot;
            [Model(1, 6, 6)]
            [Conv2d(2, 3)]
            [Relu, Flatten]
            [Dense(3)]
            public partial class Ordered;
            """);

        string source = run.SingleSource;
        int[] positions = new[] { "conv2d_1 = new", "relu_2 = new", "flatten_3 = new", "dense_4 = new" }
            .Select(text => source.IndexOf(text, StringComparison.Ordinal))
            .ToArray();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.OrderBy(p => p), positions);
    }
}
