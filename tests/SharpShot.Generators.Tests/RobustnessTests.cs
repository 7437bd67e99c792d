using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>Malformed user code: the generator must neither throw (CS8785) nor add guesses to the compiler's own errors.</summary>
public sealed class RobustnessTests
{
    public static TheoryData<string> Garbage => new()
    {
        // Missing constructor arguments.
        "using SharpShot; [Model(1, 28, 28)] [Conv2d(32)] public partial class A;",
        "using SharpShot; [Model(784)] [Dense] public partial class A;",
        "using SharpShot; [Model(784)] [Dropout()] public partial class A;",
        // Wrong argument types.
        "using SharpShot; [Model(1, 28, 28)] [Conv2d(\"32\", 3)] public partial class A;",
        "using SharpShot; [Model(\"1\", 28)] [Flatten] public partial class A;",
        "using SharpShot; [Model(784)] [Dense(64.5)] public partial class A;",
        "using SharpShot; [Model(784)] [Dense(10, Name = 3)] public partial class A;",
        "using SharpShot; [Model(784)] [Dense(10)] [Train(Epochs = \"x\", Optimizer = 3)] public partial class A;",
        // Typo'd attribute names, on a layer and on the model.
        "using SharpShot; [Model(1, 28, 28)] [Conv2D(32, 3), Relu] public partial class A;",
        "using SharpShot; [Modell(784)] [Dense(10)] public partial class A;",
        // Unclosed code.
        "using SharpShot; [Model(1, 28, 28)] [Conv2d(32, 3), Relu, Flatten, Dense(10)] public partial class A {",
        "using SharpShot; [Model(1, 28, 28)] [Conv2d(32, ",
        "using SharpShot; [Model(784)] [Dense(10) public partial class A;",
        "using SharpShot; [Model(784)] [Dense(10)] public partial class",
        // [Model] where it is not allowed, or on something that is not a type.
        "using SharpShot; [Model(784)] [Dense(10)] public partial struct S;",
        "using SharpShot; [Model(784)] [Dense(10)] public partial interface I;",
        "using SharpShot; public partial class A { [Model(784)] void M() { } }",
        // [Model] twice on one class (CS0579): one model, not two files with the same name.
        "using SharpShot; [Model(784)] [Dense(10)] public partial class A; [Model(784)] public partial class A;",
        // Composition attributes that do not compile: a missing type, a missing count, wrong argument types.
        "using SharpShot; [Model(784)] [Repeat(typeof(Missing), 2)] public partial class A;",
        "using SharpShot; [Block] [Relu] public partial class B; [Model(784)] [Repeat(typeof(B))] public partial class A;",
        "using SharpShot; [Block] [Relu] public partial class B; [Model(784)] [Residual(typeof(B), Projection = 1)] public partial class A;",
        "using SharpShot; [Model(784)] [Use] public partial class A;",
        "using SharpShot; [Model(784)] [Use(\"A\")] public partial class A;",
        "using SharpShot; [Model(12)] [Reshape(\"a\")] public partial class A;",
        "using SharpShot; [Model(12)] [Reshape(1.5)] public partial class A;",
        "using SharpShot; [Model(1, 8, 8)] [Conv2d(4, 3, PaddingMode = 1)] public partial class A;",
        "using SharpShot; [Model(4, 4)] [Lstm(4, ReturnSequences = 1)] public partial class A;",
        // A block that does not compile, used by a model: the compiler reports it, the model waits.
        "using SharpShot; [Block] [Conv2D(8, 3)] public partial class B; [Model(1, 8, 8)] [Repeat(typeof(B), 2)] public partial class A;",
        "using SharpShot; [Block(1)] [Relu] public partial class B; [Model(4)] [Repeat(typeof(B), 2)] public partial class A;",
        // [Block] where it is not allowed.
        "using SharpShot; [Block] [Relu] public partial struct S;",
        "using SharpShot; [Block] [Block] [Relu] public partial class B;",
        // [MetaLearner] that does not compile, twice, or where it is not allowed.
        "using SharpShot; [Model(4)] [Dense(5)] [MetaLearner] public partial class A;",
        "using SharpShot; [Model(4)] [Dense(5)] [MetaLearner(3)] public partial class A;",
        "using SharpShot; [Model(4)] [Dense(5)] [MetaLearner(MetaAlgorithm.Maml, Ways = \"5\")] public partial class A;",
        "using SharpShot; [Model(4)] [Dense(5)] [MetaLearner(MetaAlgorithm.Maml, Task = 1)] public partial class A;",
        "using SharpShot; [Model(4)] [Dense(5)] [MetaLearner(MetaAlgorithm.Maml)] [MetaLearner(MetaAlgorithm.Maml)] public partial class A;",
        "using SharpShot; [MetaLearner(MetaAlgorithm.Maml)] [MetaLearner(MetaAlgorithm.Maml)] public partial class A;",
        "using SharpShot; [MetaLearner] public partial class A;",
        "using SharpShot; [MetaLearner(MetaAlgorithm.Maml)] public partial struct S;",
        "using SharpShot; public partial class A { [MetaLearner(MetaAlgorithm.Maml)] void M() { } }",
        // Errors elsewhere in the class.
        "using SharpShot; [Model(784)] [Dense(10)] public partial class A : Missing;",
        "using SharpShot; [Model(784)] [Dense(10)] public partial class A { int x = ; }",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void GarbageNeverThrowsNorReportsInternalErrors(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Null(run.Result.Exception);
        Assert.Empty(run.DriverDiagnostics);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "SS9999");
        Assert.NotEmpty(run.Input.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }

    public static TheoryData<string> Odd => new()
    {
        // typeof of things that are not blocks or models.
        "[Model(4)] [Repeat(typeof(int), 2)] public partial class A;",
        "[Model(4)] [Repeat(typeof(System.Collections.Generic.List<>), 2)] public partial class A;",
        "[Model(4)] [Use(typeof(System.Action<int>))] public partial class A;",
        "[Model(4)] [Residual(typeof(A))] public partial class A;",
        "[Model(4)] [Use(typeof(A))] public partial class A;",
        // Generic blocks, open and closed.
        "[Block] [Relu] public partial class G<T>; [Model(4)] [Repeat(typeof(G<>), 2), Repeat(typeof(G<int>), 1)] public partial class A;",
        // Extreme counts and sizes.
        "[Block] [Relu] public partial class B; [Model(4)] [Repeat(typeof(B), int.MaxValue)] public partial class A;",
        "[Block] [Relu] public partial class B; [Model(4)] [Repeat(typeof(B), int.MinValue)] public partial class A;",
        "[Model(12)] [Reshape] public partial class A;",
        "[Model(12)] [Reshape(null)] public partial class A;",
        "[Model(12)] [Reshape(int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue)] public partial class A;",
        "[Model(12)] [Reshape(-1, int.MinValue)] public partial class A;",
        "[Model(int.MaxValue, int.MaxValue)] [Reshape(-1, 1)] public partial class A;",
        "[Model(3, 8, 8)] [Conv2d(int.MaxValue, int.MaxValue, Dilation = int.MaxValue, PaddingMode = PaddingMode.Same)] public partial class A;",
        "[Model(3, 8, 8)] [Conv2d(4, 2, Stride = int.MaxValue, PaddingMode = PaddingMode.Same)] public partial class A;",
        "[Model(3, int.MaxValue, int.MaxValue)] [ConvTranspose2d(4, int.MaxValue, Stride = int.MaxValue, OutputPadding = int.MaxValue - 1)] public partial class A;",
        "[Model(3, 8, 8)] [MaxPool2d(int.MaxValue, Padding = int.MaxValue / 2)] public partial class A;",
        "[Model(int.MaxValue)] [Embedding(16777216, int.MaxValue)] public partial class A;",
        "[Model(int.MaxValue, int.MaxValue)] [Lstm(int.MaxValue, ReturnSequences = true), Gru(int.MaxValue)] public partial class A;",
        "[Model(int.MaxValue, 8, 8)] [BatchNorm2d(Momentum = double.NaN, Epsilon = double.NaN)] public partial class A;",
        "[Block] [Dense(int.MaxValue)] public partial class B; [Model(int.MaxValue)] [Residual(typeof(B), Projection = true)] public partial class A;",
        // Extreme and odd [MetaLearner] settings.
        "[Model(4)] [Dense(5)] [MetaLearner((MetaAlgorithm)(-1), Task = (MetaTaskKind)9, Ways = int.MinValue, Steps = int.MinValue, InnerLearningRate = double.NegativeInfinity)] public partial class A;",
        "[Model(4)] [Dense(5)] [MetaLearner(MetaAlgorithm.Maml, Ways = int.MaxValue, InnerLearningRate = double.Epsilon, MetaLearningRate = double.MaxValue, Seed = int.MinValue)] public partial class A;",
        "[Model(4)] [Dense(0)] [MetaLearner(MetaAlgorithm.ProtoNet, Task = MetaTaskKind.Regression, Ways = 0)] public partial class A;",
        "[Block] [Dropout(0.5)] public partial class B; [Model(4)] [Residual(typeof(B)), Use(typeof(C))] [MetaLearner(MetaAlgorithm.Anil, Ways = 4)] public partial class A; [Model(4)] [Dropout(0.1)] public partial class C;",
        // Names inside and around compositions.
        "[Block] [Relu(Name = \"\")] public partial class B; [Model(4)] [Repeat(typeof(B), 2, Name = \"class\")] public partial class A;",
        "[Block] [Relu] public partial class B; [Model(4)] [Residual(typeof(B), Name = \"Summary\"), Use(typeof(C), Name = null)] public partial class A; [Model(4)] [Relu] public partial class C;",
    };

    [Theory]
    [MemberData(nameof(Odd))]
    public void OddButCompilingDeclarationsNeverThrow(string declarations)
    {
        GeneratorRun run = GeneratorHarness.Run("using SharpShot;\n" + declarations);

        // SSxxxx diagnostics are expected here; a generator exception would be CS8785.
        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.DriverDiagnostics, d => !d.Id.StartsWith("SS", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "SS9999");
    }

    [Fact]
    public void DeeplyNestedBlocksStopAtTheDepthLimit()
    {
        // 200 blocks, each inserting the next: deeper than the generator follows.
        var source = new System.Text.StringBuilder("using SharpShot;\n[Model(4)]\n[Repeat(typeof(B0), 1)]\npublic partial class Deep;\n");
        for (int i = 0; i < 200; i++)
        {
            source.Append($"[Block] [Repeat(typeof(B{i + 1}), 1)] public partial class B{i};\n");
        }

        source.Append("[Block] [Relu] public partial class B200;\n");

        GeneratorRun run = GeneratorHarness.Run(source.ToString());

        Assert.Null(run.Result.Exception);
        Microsoft.CodeAnalysis.Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("SS0004", diagnostic.Id);
        Assert.EndsWith("the nesting of blocks and models must be at most 64 deep, but is deeper", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void ALongChainOfUsedModelsStopsAtTheDepthLimit()
    {
        var source = new System.Text.StringBuilder("using SharpShot;\n");
        for (int i = 0; i < 100; i++)
        {
            source.Append($"[Model(4)] [Use(typeof(M{i + 1}))] public partial class M{i};\n");
        }

        source.Append("[Model(4)] [Relu] public partial class M100;\n");

        GeneratorRun run = GeneratorHarness.Run(source.ToString());

        Assert.Null(run.Result.Exception);
        Assert.All(run.Diagnostics, d => Assert.Equal("SS0004", d.Id));
        Assert.NotEmpty(run.Diagnostics);

        // The models near the end of the chain are shallow enough to generate.
        Assert.Contains(run.Result.GeneratedSources, generated => generated.HintName == "M100.g.cs");
        Assert.Contains(run.Result.GeneratedSources, generated => generated.HintName == "M40.g.cs");
        Assert.DoesNotContain(run.Result.GeneratedSources, generated => generated.HintName == "M0.g.cs");
    }

    [Fact]
    public void BrokenAttributesProduceNoGuesses()
    {
        // A typo'd layer could have been any kind: inferring shapes without it would report a made-up SS0002 on Dense.
        GeneratorRun run = GeneratorHarness.Run("using SharpShot; [Model(1, 28, 28)] [Conv2D(32, 3), Flatten, Dense(10)] public partial class A;");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void AnUnrelatedBrokenAttributeDoesNotStopAGoodModel()
    {
        GeneratorRun run = GeneratorHarness.Run("using SharpShot; [Model(784)] [Dense(10)] [System.Obsolete(42)] public partial class A;");

        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Result.GeneratedSources);
    }
}
