using SharpShot.Data;
using Xunit;

namespace SharpShot.Tests.Data;

public sealed class SyntheticImagesTests
{
    [Fact]
    public void SameSeedGivesIdenticalData()
    {
        var (trainA, testA) = SyntheticImages.Generate(200, 50, seed: 7);
        var (trainB, testB) = SyntheticImages.Generate(200, 50, seed: 7);

        Assert.Equal(trainA.Features, trainB.Features);
        Assert.Equal(trainA.Labels, trainB.Labels);
        Assert.Equal(testA.Features, testB.Features);
        Assert.Equal(testA.Labels, testB.Labels);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentData()
    {
        var (trainA, _) = SyntheticImages.Generate(100, 0, seed: 1);
        var (trainB, _) = SyntheticImages.Generate(100, 0, seed: 2);

        Assert.NotEqual(trainA.Labels, trainB.Labels);
        Assert.True(DiffersInMostPixels(trainA.Sample(0), trainB.Sample(0)));
    }

    [Fact]
    public void TestSetIsDrawnIndependentlyOfTrainingSet()
    {
        var (train, test) = SyntheticImages.Generate(50, 50, seed: 3);

        for (int i = 0; i < test.Count; i++)
        {
            for (int j = 0; j < train.Count; j++)
            {
                Assert.True(DiffersInMostPixels(test.Sample(i), train.Sample(j)), $"test {i} resembles train {j}");
            }
        }
    }

    [Fact]
    public void FirstSamplesDoNotDependOnHowManyAreGenerated()
    {
        var (small, _) = SyntheticImages.Generate(10, 0, seed: 5);
        var (large, _) = SyntheticImages.Generate(10, 5, seed: 5);

        Assert.Equal(small.Features, large.Features);
    }

    [Theory]
    [InlineData(10, 28)]
    [InlineData(12, 32)]
    [InlineData(2, 8)]
    public void HasRequestedShapeRangeAndNames(int classes, int size)
    {
        var (train, test) = SyntheticImages.Generate(30, 20, seed: 0, classes: classes, size: size);

        Assert.Equal((30, 20), (train.Count, test.Count));
        Assert.Equal([1, size, size], train.SampleShape);
        Assert.Equal([1, size, size], test.SampleShape);
        Assert.Equal(classes, train.ClassCount);
        Assert.Equal(SyntheticImages.ClassNames(classes), train.ClassNames);
        Assert.Equal(classes, train.ClassNames.Distinct().Count());
        Assert.All(train.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.All(test.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.Same(InputScaling.None, train.Scaling);
    }

    [Fact]
    public void ClassNamesDescribeThePatterns()
    {
        Assert.Equal(12, SyntheticImages.MaxClasses);
        Assert.Equal(["horizontal bars", "vertical bars", "diagonal stripes"], SyntheticImages.ClassNames(3));
    }

    [Theory]
    [InlineData(100, 10)]
    [InlineData(1003, 10)]
    [InlineData(25, 12)]
    public void ClassesAreBalancedAndShuffled(int count, int classes)
    {
        var (train, _) = SyntheticImages.Generate(count, 0, seed: 11, classes: classes);

        int[] perClass = new int[classes];
        foreach (int label in train.Labels)
        {
            perClass[label]++;
        }

        Assert.True(perClass.Max() - perClass.Min() <= 1, $"class counts {string.Join(", ", perClass)}");
        Assert.NotEqual(Enumerable.Range(0, count).Select(i => i % classes), train.Labels);
    }

    [Fact]
    public void ImagesVaryWithinAClassAndAreNotFlat()
    {
        var (train, _) = SyntheticImages.Generate(200, 0, seed: 4);

        for (int label = 0; label < train.ClassCount; label++)
        {
            int[] members = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == label).Take(2).ToArray();
            Assert.True(DiffersInMostPixels(train.Sample(members[0]), train.Sample(members[1])), $"class {label} images are copies");
            foreach (int i in members)
            {
                // A pattern with contrast: both dark and bright pixels.
                float[] pixels = train.Sample(i).ToArray();
                Assert.True(pixels.Max() - pixels.Min() > 0.4f, $"sample {i} (class {label}) is nearly flat");
            }
        }
    }

    [Fact]
    public void ClassesAreSeparableByANearestMeanClassifierOnSimpleFeatures()
    {
        // Not a CNN, but evidence the classes carry distinct, learnable structure: mean brightness, the mean
        // horizontal/vertical/diagonal gradients and the centre-versus-border contrast, fed to a nearest-class-
        // mean classifier, already beat chance (10%) by far.
        var (train, test) = SyntheticImages.Generate(2000, 500, seed: 9);
        double[][] means = new double[train.ClassCount][];
        int[] counts = new int[train.ClassCount];
        for (int c = 0; c < means.Length; c++)
        {
            means[c] = new double[FeatureCount];
        }

        for (int i = 0; i < train.Count; i++)
        {
            double[] f = Features(train.Sample(i), 28);
            for (int k = 0; k < FeatureCount; k++)
            {
                means[train.Labels[i]][k] += f[k];
            }

            counts[train.Labels[i]]++;
        }

        for (int c = 0; c < means.Length; c++)
        {
            for (int k = 0; k < FeatureCount; k++)
            {
                means[c][k] /= counts[c];
            }
        }

        int correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            double[] f = Features(test.Sample(i), 28);
            int best = Enumerable.Range(0, means.Length).MinBy(c => Enumerable.Range(0, FeatureCount).Sum(k => Math.Pow(f[k] - means[c][k], 2)));
            correct += best == test.Labels[i] ? 1 : 0;
        }

        double accuracy = correct / (double)test.Count;
        Assert.True(accuracy > 0.4, $"nearest-mean accuracy {accuracy:P1}");
    }

    [Fact]
    public void RejectsInvalidArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Generate(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Generate(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Generate(1, 1, classes: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Generate(1, 1, classes: SyntheticImages.MaxClasses + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticImages.Generate(1, 1, size: SyntheticImages.MinSize - 1));
    }

    [Fact]
    public void ZeroCountsGiveEmptySets()
    {
        var (train, test) = SyntheticImages.Generate(0, 0);

        Assert.Equal((0, 0), (train.Count, test.Count));
        Assert.Empty(train.Features);
    }

    private const int FeatureCount = 6;

    private static double[] Features(ReadOnlySpan<float> image, int size)
    {
        double mean = 0, horizontal = 0, vertical = 0, diagonal = 0, centre = 0, border = 0;
        for (int r = 0; r < size; r++)
        {
            for (int c = 0; c < size; c++)
            {
                float v = image[(r * size) + c];
                mean += v;
                if (c + 1 < size)
                {
                    horizontal += Math.Abs(image[(r * size) + c + 1] - v);
                }

                if (r + 1 < size)
                {
                    vertical += Math.Abs(image[((r + 1) * size) + c] - v);
                }

                if (r + 1 < size && c + 1 < size)
                {
                    diagonal += Math.Abs(image[((r + 1) * size) + c + 1] - v);
                }

                bool inCentre = Math.Abs(r - (size / 2)) < size / 4 && Math.Abs(c - (size / 2)) < size / 4;
                if (inCentre)
                {
                    centre += v;
                }
                else
                {
                    border += v;
                }
            }
        }

        double n = size * size;
        return [mean / n * 4, horizontal / n * 4, vertical / n * 4, diagonal / n * 4, centre / (n / 4) * 2, border / (n * 3 / 4) * 2];
    }

    private static bool DiffersInMostPixels(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int different = 0;
        for (int i = 0; i < a.Length; i++)
        {
            different += Math.Abs(a[i] - b[i]) > 1e-6f ? 1 : 0;
        }

        return different > a.Length / 2;
    }
}
