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
    [InlineData("[Model(10)] [Dense(2)] [Train(NonFiniteSteps = (NonFiniteSteps)3)]", "Train(NonFiniteSteps = (NonFiniteSteps)3)", "'Train(NonFiniteSteps = (NonFiniteSteps)3)': NonFiniteSteps must be a named NonFiniteSteps, but is 3")]
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
        Assert.Contains("the known layers are Dense, Conv1d, Conv2d, ConvTranspose2d, Embedding, Lstm, Gru, MaxPool2d, AvgPool2d, GlobalAvgPool2d, BatchNorm1d, BatchNorm2d, LayerNorm, Dropout, Flatten, Reshape, Relu, LeakyRelu, Elu, Gelu, Silu, Sigmoid, Tanh, Softmax, LogSoftmax; the compositions Repeat, Residual and Use", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Model(1, 8, 8)] [Conv2d(4, 3, PaddingMode = (PaddingMode)5)]", "Conv2d(4, 3, PaddingMode = (PaddingMode)5)", "PaddingMode must be a named PaddingMode, but is 5")]
    [InlineData("[Model(1, 8, 8)] [Conv2d(4, 3, Dilation = 0)]", "Conv2d(4, 3, Dilation = 0)", "Dilation must be positive, but is 0")]
    [InlineData("[Model(1, 8, 8)] [Conv2d(4, 3, Groups = -1)]", "Conv2d(4, 3, Groups = -1)", "Groups must be positive, but is -1")]
    [InlineData("[Model(1, 8)] [Conv1d(4, 0)]", "Conv1d(4, 0)", "kernel must be positive, but is 0")]
    [InlineData("[Model(1, 4, 4)] [ConvTranspose2d(4, 3, Stride = 2, OutputPadding = 2)]", "ConvTranspose2d(4, 3, Stride = 2, OutputPadding = 2)", "OutputPadding must be less than Stride (2), but is 2")]
    [InlineData("[Model(1, 4, 4)] [ConvTranspose2d(4, 1, Padding = 3)]", "ConvTranspose2d(4, 1, Padding = 3)", "output dimension 2 must be positive, but is -2")]
    [InlineData("[Model(1, 8, 8)] [MaxPool2d(3, Padding = 2)]", "MaxPool2d(3, Padding = 2)", "Padding must be at most half the kernel (1), but is 2")]
    [InlineData("[Model(1, 8, 8)] [AvgPool2d(2, Stride = -1)]", "AvgPool2d(2, Stride = -1)", "Stride must be zero or positive, but is -1")]
    [InlineData("[Model(4)] [BatchNorm1d(Momentum = 1.5)]", "BatchNorm1d(Momentum = 1.5)", "Momentum must be in [0, 1], but is 1.5")]
    [InlineData("[Model(1, 8, 8)] [BatchNorm2d(Epsilon = 0)]", "BatchNorm2d(Epsilon = 0)", "Epsilon must be positive and finite, but is 0")]
    [InlineData("[Model(4)] [LayerNorm(Epsilon = -1e-5)]", "LayerNorm(Epsilon = -1e-5)", "Epsilon must be positive and finite, but is -1E-05")]
    [InlineData("[Model(12)] [Reshape]", "Reshape", "the number of target dimensions must be positive, but is 0")]
    [InlineData("[Model(12)] [Reshape(3, 0)]", "Reshape(3, 0)", "target dimension 2 must be positive, or -1 to be inferred, but is 0")]
    [InlineData("[Model(12)] [Reshape(-1, -1)]", "Reshape(-1, -1)", "target dimension 2 must be positive (only one dimension can be -1), but is -1")]
    [InlineData("[Model(4)] [Embedding(0, 8)]", "Embedding(0, 8)", "vocabulary must be positive, but is 0")]
    [InlineData("[Model(4)] [Embedding(20000000, 8)]", "Embedding(20000000, 8)", "vocabulary must be at most 16,777,216 (ids must be exact in float32), but is 20000000")]
    [InlineData("[Model(4, 4)] [Lstm(0)]", "Lstm(0)", "units must be positive, but is 0")]
    [InlineData("[Model(4)] [Elu(Alpha = double.PositiveInfinity)]", "Elu(Alpha = double.PositiveInfinity)", "Alpha must be a finite number, but is Infinity")]
    [InlineData("[Model(4)] [LeakyRelu(Slope = double.NaN)]", "LeakyRelu(Slope = double.NaN)", "Slope must be a finite number, but is NaN")]
    public void SS0004_OutOfRangeNewLayers(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class Bad;\n";

        Assert.Equal($"Layer 1 '{at}': {expected}", AssertSingle(source, "SS0004", at));
    }

    [Theory]
    [InlineData("[Model(4)] [Repeat(typeof(B), 0)]", "Repeat(typeof(B), 0)", "count must be positive, but is 0")]
    [InlineData("[Model(4)] [Repeat(typeof(B), -3)]", "Repeat(typeof(B), -3)", "count must be positive, but is -3")]
    [InlineData("[Model(4)] [Repeat(typeof(B), 1000000)]", "Repeat(typeof(B), 1000000)", "count must be at most 10,000, but is 1000000")]
    public void SS0004_RepeatCount(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n[Block]\n[Dense(4)]\npublic partial class B;\n{attributes}\npublic partial class Bad;\n";

        Assert.Equal($"Layer 1 '{at}': {expected}", AssertSingle(source, "SS0004", at));
    }

    [Fact]
    public void SS0004_ExpansionBeyondTheLayerLimit()
    {
        const string source = """
            using SharpShot;
            [Block] [Relu] public partial class Leaf;
            [Block] [Repeat(typeof(Leaf), 1000)] public partial class Middle;
            [Model(4)]
            [Repeat(typeof(Middle), 100)]
            public partial class Huge;
            """;

        string message = AssertSingle(source, "SS0004", at: "Repeat(typeof(Middle), 100)");
        Assert.StartsWith("Layer 1 'Repeat(typeof(Middle), 100)', block Middle (repetition 5 of 100), layer 1 'Repeat(typeof(Leaf), 1000)', block Leaf (repetition 999 of 1000), layer 1 'Relu'", message, StringComparison.Ordinal);
        Assert.EndsWith("the number of layers after expanding blocks and models must be at most 10,000, but is larger", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Model(3, 8)] [Conv1d(4, 3), Conv2d(4, 3)]", "Conv2d(4, 3)", "Layer 2 'Conv2d(4, 3)' needs a (channels, height, width) input but gets (4, 6)")]
    [InlineData("[Model(3, 8, 8)] [Conv1d(4, 3)]", "Conv1d(4, 3)", "Layer 1 'Conv1d(4, 3)' needs a (channels, length) input but gets (3, 8, 8)")]
    [InlineData("[Model(3, 8, 8)] [BatchNorm1d]", "BatchNorm1d", "Layer 1 'BatchNorm1d' needs a (features) or (channels, length) input but gets (3, 8, 8)")]
    [InlineData("[Model(16)] [BatchNorm2d]", "BatchNorm2d", "Layer 1 'BatchNorm2d' needs a (channels, height, width) input but gets (16)")]
    [InlineData("[Model(16)] [GlobalAvgPool2d]", "GlobalAvgPool2d", "Layer 1 'GlobalAvgPool2d' needs a (channels, height, width) input but gets (16)")]
    [InlineData("[Model(16)] [Lstm(8)]", "Lstm(8)", "Layer 1 'Lstm(8)' needs a (length, features) input but gets (16)")]
    [InlineData("[Model(4, 4)] [Embedding(10, 3)]", "Embedding(10, 3)", "Layer 1 'Embedding(10, 3)' needs a (length) token-id input but gets (4, 4)")]
    public void SS0005_InputOfAnotherRank(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class Ranked;\n";

        Assert.Equal(expected, AssertSingle(source, "SS0005", at));
    }

    [Theory]
    [InlineData("[Model(3, 4, 4)] [Conv2d(4, 3, Dilation = 2)]", "Conv2d(4, 3, Dilation = 2)", "the 5x5 dilated window is larger than the 4x4 input (3, 4, 4)")]
    [InlineData("[Model(3, 8)] [Conv1d(4, 9)]", "Conv1d(4, 9)", "the 9-wide window is larger than the 8-long input (3, 8)")]
    [InlineData("[Model(3, 4, 4)] [AvgPool2d(7, Padding = 1)]", "AvgPool2d(7, Padding = 1)", "the 7x7 window is larger than the 6x6 padded input (3, 4, 4)")]
    public void SS0003_WindowLargerThanInputNewLayers(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class TooSmall;\n";

        Assert.Equal($"Layer 1 '{at}': {expected}", AssertSingle(source, "SS0003", at));
    }

    [Fact]
    public void SS0003_AtTheUseOfABlockThatNoLongerFits()
    {
        // ConvBlock shrinks 28 to 13, 5, 1: the fourth repetition gets a 1x1 input its 3x3 kernel does not fit.
        const string source = """
            using SharpShot;

            [Block]
            [Conv2d(8, 3), MaxPool2d(2)]
            public partial class ConvBlock;

            [Model(1, 28, 28)]
            [Repeat(typeof(ConvBlock), 4), Flatten]
            public partial class Shrinking;
            """;

        string message = AssertSingle(source, "SS0003", at: "Repeat(typeof(ConvBlock), 4)");
        Assert.Equal("Layer 1 'Repeat(typeof(ConvBlock), 4)', block ConvBlock (repetition 4 of 4), layer 1 'Conv2d(8, 3)': the 3x3 window is larger than the 1x1 input (8, 1, 1)", message);
    }

    [Fact]
    public void SS0002_InsideANestedBlockNamesThePath()
    {
        const string source = """
            using SharpShot;

            [Block]
            [Dense(8), Relu]
            public partial class Mlp;

            [Block]
            [Relu, Residual(typeof(Mlp), Projection = true)]
            public partial class Wrapper;

            [Model(2, 4)]
            [Repeat(typeof(Wrapper), 1, Name = "wrapped")]
            public partial class Nested;
            """;

        Assert.Equal(
            "Layer 1 'Repeat(typeof(Wrapper), 1, Name = \"wrapped\")', block Wrapper, layer 2 'Residual(typeof(Mlp), Projection = true)', block Mlp, layer 1 'Dense(8)' needs a flat (features) input but gets (2, 4); add Flatten before it",
            AssertSingle(source, "SS0002", at: "Repeat(typeof(Wrapper), 1, Name = \"wrapped\")"));
    }

    [Fact]
    public void SS0006_BlockWithoutLayers()
    {
        const string source = """
            using SharpShot;
            [Block]
            public partial class Empty;

            [Model(4)]
            [Repeat(typeof(Empty), 2)]
            public partial class User;
            """;

        Assert.Equal(
            "Block 'Empty' declares no layers; add layer attributes after [Block], such as [Flatten, Dense(10)]",
            AssertSingle(source, "SS0006", at: "Block"));
    }

    [Fact]
    public void SS0007_DuplicateNameInABlock()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Dense(2, Name = "fc"), Relu, Dense(2, Name = "fc")]
            public partial class Twice;
            """;

        Assert.Equal(
            "Layer 3 'Dense(2, Name = \"fc\")' cannot be named 'fc': layer 1 has the same name; choose another Name",
            AssertSingle(source, "SS0007", at: "Dense(2, Name = \"fc\")", occurrence: 1));
    }

    [Fact]
    public void SS0007_RepeatNamesClashWithAnotherLayer()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Dense(4)]
            public partial class B;

            [Model(4)]
            [Dense(4, Name = "stage_2"), Repeat(typeof(B), 2, Name = "stage")]
            public partial class Clash;
            """;

        Assert.Equal(
            "Layer 2 'Repeat(typeof(B), 2, Name = \"stage\")' cannot be named 'stage_2': layer 1 has the same name; choose another Name",
            AssertSingle(source, "SS0007", at: "Repeat(typeof(B), 2, Name = \"stage\")"));
    }

    [Fact]
    public void SS0009_UnknownLayerInABlock()
    {
        const string source = """
            using SharpShot;
            public sealed class SwishAttribute : LayerAttribute;

            [Block]
            [Dense(8), Swish]
            public partial class Custom;
            """;

        Assert.StartsWith("Layer 2 'Swish': 'SwishAttribute' derives from LayerAttribute", AssertSingle(source, "SS0009", at: "Swish"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Repeat(typeof(string), 2)", "'string' is not a class marked [Block]")]
    [InlineData("Repeat(null, 2)", "null is not a class marked [Block]")]
    [InlineData("Residual(typeof(Plain))", "'Plain' is not a class marked [Block]")]
    [InlineData("Residual(typeof(Other))", "'Other' is not a class marked [Block]")]
    [InlineData("Use(typeof(Blocky))", "'Blocky' is not a class marked [Model]")]
    [InlineData("Use(typeof(System.Collections.Generic.List<int>))", "'List<int>' is not a class marked [Model]")]
    public void SS0010_NotABlockOrModel(string composition, string reason)
    {
        string source = $$"""
            using SharpShot;
            public class Plain { }
            [Block] [Relu] public partial class Blocky;
            [Model(4)] [Relu] public partial class Other;
            [Model(4)]
            [{{composition}}]
            public partial class User;
            """;

        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("SS0010", diagnostic.Id);
        Assert.Equal(SpanOf(source, composition), diagnostic.Location.SourceSpan);
        Assert.Equal($"Layer 1 '{composition}': {reason}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(run.Result.GeneratedSources, generated => generated.HintName == "User.g.cs");
    }

    [Fact]
    public void SS0010_InsideABlockIsReportedAtTheBlock()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Relu, Repeat(typeof(Missing), 2)]
            public partial class Holder;

            public class Missing { }
            """;

        Assert.Equal("Layer 2 'Repeat(typeof(Missing), 2)': 'Missing' is not a class marked [Block]", AssertSingle(source, "SS0010", at: "Repeat(typeof(Missing), 2)"));
    }

    [Fact]
    public void SS0011_BlockThatRepeatsItself()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Relu, Repeat(typeof(Again), 2)]
            public partial class Again;

            [Model(4)]
            [Repeat(typeof(Again), 1)]
            public partial class User;
            """;

        Assert.Equal("Layer 2 'Repeat(typeof(Again), 2)': 'Again' would contain itself (Again → Again)", AssertSingle(source, "SS0011", at: "Repeat(typeof(Again), 2)"));
    }

    [Fact]
    public void SS0011_IndirectCycleIsReportedAtEveryClassOnIt()
    {
        const string source = """
            using SharpShot;
            [Block] [Repeat(typeof(Second), 2)] public partial class First;
            [Block] [Residual(typeof(First))] public partial class Second;
            [Model(4)] [Repeat(typeof(First), 1)] public partial class User;
            """;

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(
            new[]
            {
                "Layer 1 'Repeat(typeof(Second), 2)': 'First' would contain itself (First → Second → First)",
                "Layer 1 'Residual(typeof(First))': 'Second' would contain itself (Second → First → Second)",
            },
            run.Diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(run.Diagnostics, d => Assert.Equal("SS0011", d.Id));
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void SS0011_ModelThatUsesItself()
    {
        const string source = """
            using SharpShot;
            [Model(4)]
            [Use(typeof(Selfish)), Dense(2)]
            public partial class Selfish;
            """;

        Assert.Equal("Layer 1 'Use(typeof(Selfish))': 'Selfish' would contain itself (Selfish → Selfish)", AssertSingle(source, "SS0011", at: "Use(typeof(Selfish))"));
    }

    [Fact]
    public void SS0012_ResidualBlockChangesTheShape()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Conv2d(8, 3, Stride = 2, Padding = 1)]
            public partial class Down;

            [Model(4, 16, 16)]
            [Residual(typeof(Down))]
            public partial class Shortcut;
            """;

        Assert.Equal(
            "Layer 1 'Residual(typeof(Down))': block 'Down' maps (4, 16, 16) to (8, 8, 8), but a residual connection adds its input to its output; keep the shape, or set Projection = true",
            AssertSingle(source, "SS0012", at: "Residual(typeof(Down))"));
    }

    [Theory]
    [InlineData("[Conv2d(8, 3)]", "(1, 28, 28) to (8, 26, 26), the output of block 'B': no single stride shrinks 28x28 to 26x26")]
    [InlineData("[Flatten]", "(1, 28, 28) to (784), the output of block 'B': the block changes the number of dimensions")]
    [InlineData("[ConvTranspose2d(8, 2, Stride = 2)]", "(1, 28, 28) to (8, 56, 56), the output of block 'B': the block enlarges the height or width, and a strided 1x1 convolution can only keep or shrink them")]
    [InlineData("[Reshape(28, 28), Lstm(5, ReturnSequences = true), Reshape(1, 28, 5)]", "(1, 28, 28) to (1, 28, 5), the output of block 'B': no single stride shrinks 28x28 to 28x5")]
    public void SS0013_NoProjection(string layers, string expected)
    {
        string source = $"using SharpShot;\n[Block]\n{layers}\npublic partial class B;\n[Model(1, 28, 28)]\n[Residual(typeof(B), Projection = true)]\npublic partial class Shortcut;\n";

        Assert.Equal(
            $"Layer 1 'Residual(typeof(B), Projection = true)': the shortcut cannot be projected from {expected}",
            AssertSingle(source, "SS0013", at: "Residual(typeof(B), Projection = true)"));
    }

    [Fact]
    public void SS0013_SequencesHaveNoProjection()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Lstm(6, ReturnSequences = true)]
            public partial class Recurrent;

            [Model(10, 4)]
            [Residual(typeof(Recurrent), Projection = true)]
            public partial class Sequence;
            """;

        Assert.EndsWith(
            "projections exist for (channels, height, width) and (features) shapes only",
            AssertSingle(source, "SS0013", at: "Residual(typeof(Recurrent), Projection = true)"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void SS0014_UsedModelTakesAnotherShape()
    {
        const string source = """
            using SharpShot;
            [Model(1, 28, 28)]
            [Conv2d(4, 3), Flatten]
            public partial class Features;

            [Model(784)]
            [Use(typeof(Features)), Dense(10)]
            public partial class Classifier;
            """;

        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("SS0014", diagnostic.Id);
        Assert.Equal(SpanOf(source, "Use(typeof(Features))"), diagnostic.Location.SourceSpan);
        Assert.Equal("Layer 1 'Use(typeof(Features))': model 'Features' takes input (1, 28, 28), but the shape here is (784)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new[] { "Features.g.cs" }, run.Result.GeneratedSources.Select(generated => generated.HintName));
    }

    [Theory]
    [InlineData("[Model(1, 8, 8)] [Conv2d(4, 3, Groups = 3)]", "Conv2d(4, 3, Groups = 3)", "Groups = 3 must divide the filters (4)")]
    [InlineData("[Model(3, 8, 8)] [Conv2d(4, 3, Groups = 2)]", "Conv2d(4, 3, Groups = 2)", "Groups = 2 must divide the input channels of (3, 8, 8)")]
    [InlineData("[Model(6, 8)] [Conv1d(4, 3, Groups = 4)]", "Conv1d(4, 3, Groups = 4)", "Groups = 4 must divide the input channels of (6, 8)")]
    public void SS0015_GroupsDoNotDivide(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class Grouped;\n";

        Assert.Equal($"Layer 1 '{at}': {expected}", AssertSingle(source, "SS0015", at));
    }

    [Theory]
    [InlineData("[Model(12)] [Reshape(5, 3)]", "Reshape(5, 3)", "cannot reshape (12) (12 values) to (5, 3) (15 values)")]
    [InlineData("[Model(2, 6)] [Reshape(5, -1)]", "Reshape(5, -1)", "cannot reshape (2, 6) (12 values) to (5, -1): 12 is not a multiple of 5")]
    public void SS0016_ReshapeChangesTheNumberOfValues(string attributes, string at, string expected)
    {
        string source = $"using SharpShot;\n{attributes}\npublic partial class Reshaped;\n";

        Assert.Equal($"Layer 1 '{at}': {expected}", AssertSingle(source, "SS0016", at));
    }

    [Fact]
    public void AModelUsingABrokenBlockOrModelWaitsWithoutItsOwnDiagnostic()
    {
        const string source = """
            using SharpShot;
            [Block]
            [Dense(0)]
            public partial class BrokenBlock;

            [Model(4)]
            [Dense(-1)]
            public partial class BrokenModel;

            [Model(4)]
            [Repeat(typeof(BrokenBlock), 2), Use(typeof(BrokenModel))]
            public partial class User;
            """;

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(new[] { "SS0004", "SS0004" }, run.Diagnostics.Select(d => d.Id));
        Assert.Equal(SpanOf(source, "Dense(0)"), run.Diagnostics[0].Location.SourceSpan);
        Assert.Equal(SpanOf(source, "Dense(-1)"), run.Diagnostics[1].Location.SourceSpan);
        Assert.Empty(run.Result.GeneratedSources);
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
    internal static string AssertSingle(string source, string id, string at, int? occurrence = null)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(SpanOf(source, at, occurrence), diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(run.Result.GeneratedSources);
        return diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The span of the one occurrence (or the given 0-based one) of <paramref name="text"/> as a whole attribute or identifier.</summary>
    internal static TextSpan SpanOf(string source, string text, int? occurrence = null)
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

        return new TextSpan(occurrence is { } index ? starts[index] : Assert.Single(starts), text.Length);
    }
}
