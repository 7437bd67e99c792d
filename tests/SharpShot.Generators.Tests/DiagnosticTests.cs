using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>Each diagnostic: its ID, its location (the offending attribute or class name) and what its message says.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void SS0001_ModelClassNotPartial()
    {
        const string source = """
            using SharpShot;
            [Model(4)]
            [Dense(2)]
            public class Plain { }
            """;

        string message = AssertSingle(source, "SS0001", at: "Plain");
        Assert.Equal("Model class 'Plain' must be declared partial so that SharpShot can add the generated model code", message);
    }

    [Fact]
    public void SS0001_ContainingTypeNotPartial()
    {
        const string source = """
            using SharpShot;
            public class Outer
            {
                [Model(4)]
                [Dense(2)]
                public partial class Inner;
            }
            """;

        string message = AssertSingle(source, "SS0001", at: "Outer");
        Assert.Contains("Containing type 'Outer'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SS0002_DenseAfterConvolutionWithoutFlatten()
    {
        const string source = """
            using SharpShot;
            [Model(1, 28, 28)]
            [Conv2d(8, 3), Dense(10)]
            public partial class NoFlatten;
            """;

        string message = AssertSingle(source, "SS0002", at: "Dense(10)");
        Assert.Equal("Layer 2 'Dense(10)' needs a flat (features) input but gets (8, 26, 26); add Flatten before it", message);
    }

    [Theory]
    [InlineData("[Model(1, 4, 4)] [Conv2d(8, 5)]", "Conv2d(8, 5)", "Layer 1 'Conv2d(8, 5)': the 5x5 window is larger than the 4x4 input (1, 4, 4)")]
    [InlineData("[Model(1, 4, 9)] [Conv2d(8, 7, Padding = 1)]", "Conv2d(8, 7, Padding = 1)", "Layer 1 'Conv2d(8, 7, Padding = 1)': the 7x7 window is larger than the 6x11 padded input (1, 4, 9)")]
    [InlineData("[Model(1, 8, 8)] [Conv2d(2, 3), MaxPool2d(7)]", "MaxPool2d(7)", "Layer 2 'MaxPool2d(7)': the 7x7 window is larger than the 6x6 input (2, 6, 6)")]
    public void SS0003_WindowLargerThanInput(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class TooSmall;\n";

        Assert.Equal(expected, AssertSingle(source, "SS0003", at));
    }

    [Theory]
    [InlineData("[Model(1, 0, 28)] [Flatten]", "Model(1, 0, 28)", "'Model(1, 0, 28)': input dimension 2 must be positive, but is 0")]
    [InlineData("[Model(null)] [Flatten]", "Model(null)", "'Model(null)': the number of input dimensions must be positive, but is 0")]
    [InlineData("[Model] [Flatten]", "Model", "'Model': the number of input dimensions must be positive, but is 0")]
    [InlineData("[Model(1, 8, 8)] [Conv2d(0, 3)]", "Conv2d(0, 3)", "Layer 1 'Conv2d(0, 3)': filters must be positive, but is 0")]
    [InlineData("[Model(1, 8, 8)] [Conv2d(4, 3, Padding = -1)]", "Conv2d(4, 3, Padding = -1)", "Layer 1 'Conv2d(4, 3, Padding = -1)': Padding must be zero or positive, but is -1")]
    [InlineData("[Model(1, 8, 8)] [Conv2d(4, 3, Stride = 0)]", "Conv2d(4, 3, Stride = 0)", "Layer 1 'Conv2d(4, 3, Stride = 0)': Stride must be positive, but is 0")]
    [InlineData("[Model(1, 8, 8)] [MaxPool2d(2, Stride = -2)]", "MaxPool2d(2, Stride = -2)", "Layer 1 'MaxPool2d(2, Stride = -2)': Stride must be zero or positive, but is -2")]
    [InlineData("[Model(10)] [Dense(-5)]", "Dense(-5)", "Layer 1 'Dense(-5)': units must be positive, but is -5")]
    [InlineData("[Model(10)] [Dropout(1)]", "Dropout(1)", "Layer 1 'Dropout(1)': rate must be in [0, 1), but is 1")]
    [InlineData("[Model(10)] [Dropout(-0.5)]", "Dropout(-0.5)", "Layer 1 'Dropout(-0.5)': rate must be in [0, 1), but is -0.5")]
    [InlineData("[Model(10)] [Dense(2)] [Train(Epochs = 0)]", "Train(Epochs = 0)", "'Train(Epochs = 0)': Epochs must be positive, but is 0")]
    [InlineData("[Model(10)] [Dense(2)] [Train(BatchSize = -1)]", "Train(BatchSize = -1)", "'Train(BatchSize = -1)': BatchSize must be positive, but is -1")]
    [InlineData("[Model(10)] [Dense(2)] [Train(LearningRate = 0)]", "Train(LearningRate = 0)", "'Train(LearningRate = 0)': LearningRate must be positive and finite, but is 0")]
    [InlineData("[Model(10)] [Dense(2)] [Train(Momentum = -0.1)]", "Train(Momentum = -0.1)", "'Train(Momentum = -0.1)': Momentum must be zero or positive and finite, but is -0.1")]
    [InlineData("[Model(10)] [Dense(2)] [Train(Optimizer = (OptimizerKind)7)]", "Train(Optimizer = (OptimizerKind)7)", "'Train(Optimizer = (OptimizerKind)7)': Optimizer must be a named OptimizerKind, but is 7")]
    public void SS0004_OutOfRange(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class Bad;\n";

        Assert.Equal(expected, AssertSingle(source, "SS0004", at));
    }

    [Fact]
    public void SS0004_FlattenedSizeBeyondInt()
    {
        const string source = """
            using SharpShot;
            [Model(100000, 100000)]
            [Flatten]
            public partial class Huge;
            """;

        string message = AssertSingle(source, "SS0004", at: "Flatten");
        Assert.Contains("10000000000", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SS0005_ConvolutionOnAVector()
    {
        const string source = """
            using SharpShot;
            [Model(784)]
            [Conv2d(8, 3)]
            public partial class FlatConv;
            """;

        Assert.Equal("Layer 1 'Conv2d(8, 3)' needs a (channels, height, width) input but gets (784)", AssertSingle(source, "SS0005", at: "Conv2d(8, 3)"));
    }

    [Fact]
    public void SS0006_NoLayers()
    {
        const string source = """
            using SharpShot;
            [Model(784)]
            public partial class Empty;
            """;

        Assert.Contains("'Empty' declares no layers", AssertSingle(source, "SS0006", at: "Model(784)"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dense(2, Name = \"2fast\")", "it is not a C# identifier")]
    [InlineData("Dense(2, Name = \"\")", "it is not a C# identifier")]
    [InlineData("Dense(2, Name = \"class\")", "it is a C# keyword")]
    [InlineData("Dense(2, Name = \"Summary\")", "the generated code uses that name")]
    [InlineData("Dense(2, Name = \"input\")", "the generated code uses that name")]
    [InlineData("Dense(2, Name = \"Fit\")", "it would hide the member inherited from SequentialModel")]
    [InlineData("Dense(2, Name = \"Named\")", "a member cannot have the name of its class")]
    [InlineData("Dense(2, Name = \"relu_1\")", "layer 1 has the same name")]
    public void SS0007_InvalidLayerName(string layer, string reason)
    {
        string source = $"using SharpShot;\n[Model(4)]\n[Relu, {layer}]\npublic partial class Named;\n";

        string message = AssertSingle(source, "SS0007", at: layer);
        Assert.StartsWith($"Layer 2 '{layer}' cannot be named", message, StringComparison.Ordinal);
        Assert.EndsWith(reason + "; choose another Name", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SS0007_DefaultNameClashesWithAUserMember()
    {
        const string source = """
            using SharpShot;
            [Model(4)]
            [Dense(2)]
            public partial class Clash
            {
                public int dense_1 => 0;
            }
            """;

        Assert.Contains("Clash already declares a member with that name", AssertSingle(source, "SS0007", at: "Dense(2)"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public partial class Generic<T>;", "Generic", "generic classes are not supported")]
    [InlineData("public partial record Recorded;", "Recorded", "records are not supported; declare a class")]
    [InlineData("public static partial class Static;", "Static", "static classes are not supported")]
    [InlineData("file partial class Local;", "Local", "file-local classes are not supported")]
    [InlineData("public partial class Derived : System.Exception;", "Derived", "it declares the base class 'Exception', but a model derives from SharpShot.SequentialModel")]
    public void SS0008_UnsupportedDeclaration(string declaration, string className, string reason)
    {
        string source = $"using SharpShot;\n[Model(4)]\n[Dense(2)]\n{declaration}\n";

        Assert.Equal($"Model class '{className}' cannot be generated: {reason}", AssertSingle(source, "SS0008", at: className));
    }

    [Fact]
    public void SS0008_NestedInAGenericType()
    {
        const string source = """
            using SharpShot;
            public partial class Outer<T>
            {
                [Model(4)]
                [Dense(2)]
                public partial class Inner;
            }
            """;

        Assert.Contains("nested in the generic type 'Outer<T>'", AssertSingle(source, "SS0008", at: "Inner"), StringComparison.Ordinal);
    }

    [Fact]
    public void SS0009_UnknownLayerAttribute()
    {
        const string source = """
            using SharpShot;
            public sealed class SwishAttribute : LayerAttribute;

            [Model(4)]
            [Dense(8), Swish, Dense(2)]
            public partial class Custom;
            """;

        string message = AssertSingle(source, "SS0009", at: "Swish");
        Assert.StartsWith("Layer 2 'Swish': 'SwishAttribute' derives from LayerAttribute", message, StringComparison.Ordinal);
        Assert.Contains("Conv2d, MaxPool2d, Flatten, Dense, Relu, Softmax, Dropout", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SS9999_RuntimeAttributeTheGeneratorDoesNotKnow()
    {
        // A Conv2dAttribute whose constructor differs from the one the rule reads: what a generator
        // and runtime of different versions look like. The source type shadows the runtime's (CS0436).
        const string source = """
            namespace SharpShot
            {
                public sealed class Conv2dAttribute : LayerAttribute
                {
                    public Conv2dAttribute(int size) => Size = size;

                    public int Size { get; }
                }
            }

            [SharpShot.Model(1, 8, 8)]
            [SharpShot.Conv2d(3)]
            public partial class Mismatched;
            """;

        string message = AssertSingle(source, "SS9999", at: "Mismatched");
        Assert.StartsWith("SharpShot could not generate model 'Mismatched' because of an internal error", message, StringComparison.Ordinal);
        Assert.Contains("no constructor argument 'filters'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedLayerDoesNotCascadeButLaterArgumentsAreStillChecked()
    {
        const string source = """
            using SharpShot;
            [Model(784)]
            [Conv2d(8, 3), Flatten, Dense(0), Dense(10)]
            public partial class Several;
            """;

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(new[] { "SS0005", "SS0004" }, run.Diagnostics.Select(d => d.Id));
        Assert.Equal(SpanOf(source, "Conv2d(8, 3)"), run.Diagnostics[0].Location.SourceSpan);
        Assert.Equal(SpanOf(source, "Dense(0)"), run.Diagnostics[1].Location.SourceSpan);
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void DiagnosticsAreErrorsInTheSharpShotCategory()
    {
        GeneratorRun run = GeneratorHarness.Run("using SharpShot;\n[Model(784)]\n[Conv2d(8, 3)]\npublic partial class FlatConv;\n");

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("SharpShot", diagnostic.Descriptor.Category);
        Assert.Equal(new LinePosition(2, 1), diagnostic.Location.GetLineSpan().StartLinePosition);
    }

    /// <summary>Asserts one diagnostic with <paramref name="id"/> at the unique occurrence of <paramref name="at"/>, no generated file, and returns its message.</summary>
    private static string AssertSingle(string source, string id, string at)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(SpanOf(source, at), diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(run.Result.GeneratedSources);
        return diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The span of the one occurrence of <paramref name="text"/> as a whole attribute or identifier.</summary>
    private static TextSpan SpanOf(string source, string text)
    {
        var starts = new List<int>();
        for (int i = source.IndexOf(text, StringComparison.Ordinal); i >= 0; i = source.IndexOf(text, i + 1, StringComparison.Ordinal))
        {
            bool wholeStart = i == 0 || !char.IsLetterOrDigit(source[i - 1]);
            bool wholeEnd = i + text.Length == source.Length || !char.IsLetterOrDigit(source[i + text.Length]) && source[i + text.Length] != '(';
            if (wholeStart && wholeEnd)
            {
                starts.Add(i);
            }
        }

        return new TextSpan(Assert.Single(starts), text.Length);
    }
}
