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
