using Microsoft.CodeAnalysis;
using SharpShot.Generators.Model;
using SharpShot.Generators.Tests.Infrastructure;
using Xunit;

namespace SharpShot.Generators.Tests;

/// <summary>The compile-time Keras-style summary and the inferred shapes behind it.</summary>
public sealed class SummaryTests
{
    [Fact]
    public void SeedModelSummaryMatchesKeras()
    {
        string[] expected =
        {
            "Model: \"FashionCnn\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #",
            "=================================================================",
            " conv2d_1 (Conv2d)           (None, 32, 26, 26)        320",
            " relu_2 (Relu)               (None, 32, 26, 26)        0",
            " maxpool2d_3 (MaxPool2d)     (None, 32, 13, 13)        0",
            " flatten_4 (Flatten)         (None, 5408)              0",
            " dense_5 (Dense)             (None, 64)                346,176",
            " relu_6 (Relu)               (None, 64)                0",
            " dense_7 (Dense)             (None, 10)                650",
            "=================================================================",
            "Total params: 347,146",
            "Trainable params: 347,146",
            "Non-trainable params: 0",
            "_________________________________________________________________",
        };

        ModelSpec model = ParseModel(TestModels.FashionCnn);

        Assert.Equal(expected, SummaryTable.Lines(model));
    }

    [Fact]
    public void SeedModelShapesAndParameterCounts()
    {
        ModelSpec model = ParseModel(TestModels.FashionCnn);

        Assert.Equal(
            new[] { "(32, 26, 26)", "(32, 26, 26)", "(32, 13, 13)", "(5408)", "(64)", "(64)", "(10)" },
            model.Layers.Select(layer => Shapes.Format(layer.OutputShape)));
        Assert.Equal(new long[] { 320, 0, 0, 0, 346_176, 0, 650 }, model.Layers.Select(layer => layer.ParameterCount));
        Assert.Equal(347_146, model.ParameterCount);
    }

    [Fact]
    public void GeneratedSummaryIsTheTableAsAStringLiteral()
    {
        string source = GeneratorHarness.Run(TestModels.FashionCnn).SingleSource;

        Assert.Contains("\"Total params: 347,146\\n\" +", source, StringComparison.Ordinal);
        Assert.Contains("\" conv2d_1 (Conv2d)           (None, 32, 26, 26)        320\\n\" +", source, StringComparison.Ordinal);
        Assert.Contains("public override long ParameterCount => 347146L;", source, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnsWidenForLongNamesAndShapes()
    {
        ModelSpec model = ParseModel("""
            using SharpShot;
            [Model(10000, 10000, 10000)]
            [Conv2d(100000, 1, Name = "a_rather_long_convolution_name")]
            public partial class Wide;
            """);

        IReadOnlyList<string> lines = SummaryTable.Lines(model);
        string row = lines[4];

        Assert.Equal(" a_rather_long_convolution_name (Conv2d) (None, 100000, 10000, 10000) 1,000,100,000", row);
        Assert.Equal(lines[1].Length, lines[3].Length);
        Assert.True(lines[1].Length >= row.Length);
    }

    [Fact]
    public void ComposedLayersShowTheirInnerLayersIndented()
    {
        IReadOnlyList<string> lines = SummaryTable.Lines(ParseModel(TestModels.TinyResNet, "TinyResNet"));

        Assert.Equal(
            new[]
            {
                " stage_3_1 (Stage)                   (None, 16, 28, 28)        4,768",
                "   residual_1 (Residual)             (None, 16, 28, 28)        4,768",
                "     body (Basic)                    (None, 16, 28, 28)        4,768",
                "       conv2d_1 (Conv2d)             (None, 16, 28, 28)        2,320",
                "       batchnorm2d_2 (BatchNorm2d)   (None, 16, 28, 28)        64",
            },
            lines.SkipWhile(line => !line.StartsWith(" stage_3_1", StringComparison.Ordinal)).Take(5));
        Assert.Contains("   projection (Conv2d)               (None, 32, 14, 14)        544", lines);
        Assert.Equal(new[] { "Total params: 24,714", "Trainable params: 24,458", "Non-trainable params: 256" }, lines.Skip(lines.Count - 4).Take(3));
    }

    [Fact]
    public void BatchNormRunningStatisticsAreNonTrainable()
    {
        ModelSpec model = ParseModel("""
            using SharpShot;
            [Model(3, 8, 8)]
            [Conv2d(4, 3), BatchNorm2d, Flatten, Dense(2), BatchNorm1d]
            public partial class Normalized;
            """);

        IReadOnlyList<string> lines = SummaryTable.Lines(model);

        // Keras counts the moving mean and variance in the row and the total, not in the trainable params.
        Assert.Contains(" batchnorm2d_2 (BatchNorm2d) (None, 4, 6, 6)           16", lines);
        Assert.Equal(new long[] { 112, 8, 0, 290, 4 }, model.Layers.Select(layer => layer.ParameterCount));
        Assert.Equal(414, model.ParameterCount);
        Assert.Equal(12, model.NonTrainableCount);
        Assert.Equal(new[] { "Total params: 426", "Trainable params: 414", "Non-trainable params: 12" }, lines.Skip(lines.Count - 4).Take(3));
    }

    /// <summary>The model the pipeline's Models step produced for <paramref name="source"/> (the one named <paramref name="className"/> when there are several).</summary>
    private static ModelSpec ParseModel(string source, string? className = null)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.CreateCompilation(source));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return result.TrackedSteps[TrackingNames.Models].SelectMany(step => step.Outputs).Select(output => (ModelSpec)output.Value)
            .Single(model => className is null || model.ClassName == className);
    }
}
