using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Episodes;

public class RandomAffineTests
{
    private static readonly float[] s_image = [.. Enumerable.Range(1, 20).Select(v => (float)v)]; // 4 rows × 5 columns

    [Fact]
    public void NoMovementCopiesTheImage()
    {
        var result = new float[20];
        RandomAffine.Warp(s_image, result, 4, 5, angleDegrees: 0, shearDegrees: 0, scale: 1, shiftX: 0, shiftY: 0, fill: -1);
        Assert.Equal(s_image, result);
    }

    [Fact]
    public void WholePixelShiftsMoveRightAndDownAndFillWhatIsUncovered()
    {
        var result = new float[20];
        RandomAffine.Warp(s_image, result, 4, 5, 0, 0, 1, shiftX: 2, shiftY: 1, fill: -1);
        float[] expected =
        [
            -1, -1, -1, -1, -1,
            -1, -1, 1, 2, 3,
            -1, -1, 6, 7, 8,
            -1, -1, 11, 12, 13,
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void HalfPixelShiftAveragesNeighbours()
    {
        var result = new float[20];
        RandomAffine.Warp(s_image, result, 4, 5, 0, 0, 1, shiftX: 0.5, shiftY: 0, fill: 0);
        Assert.Equal(0.5f, result[0], 5); // (0 + 1) / 2: half of it comes from outside
        Assert.Equal(1.5f, result[1], 5);
        Assert.Equal(4.5f, result[4], 5);
    }

    [Fact]
    public void QuarterTurnIsRotateClassesThreeQuarterTurns()
    {
        // +90° turns clockwise on screen (rows grow downwards); RotateClasses turns counterclockwise, so it takes three.
        float[] square = [.. Enumerable.Range(1, 25).Select(v => (float)v)];
        var warped = new float[25];
        var turned = new float[25];
        RandomAffine.Warp(square, warped, 5, 5, angleDegrees: 90, 0, 1, 0, 0, fill: 0);
        RotateClasses.Rotate(square, turned, 5, 3);
        Assert.Equal(turned, warped);
    }

    [Fact]
    public void DoublingTheScaleSpreadsTheCentrePixel()
    {
        // A single bright pixel at the centre of a 5×5 image, scaled by 2: the centre keeps it, the 4-neighbours get half.
        var dot = new float[25];
        dot[12] = 1;
        var result = new float[25];
        RandomAffine.Warp(dot, result, 5, 5, 0, 0, scale: 2, 0, 0, fill: 0);
        Assert.Equal(1f, result[12], 5);
        Assert.Equal(0.5f, result[11], 5);
        Assert.Equal(0.5f, result[7], 5);
        Assert.Equal(0f, result[0], 5);
    }

    [Fact]
    public void EachSampleIsDistortedOnItsOwnReproduciblyAndLabelsStay()
    {
        FewShotDataset data = FewShotTestData.Blobs(classes: 6, samplesPerClass: 5, seed: 2);
        var plain = new EpisodeSampler(data, ways: 3, shots: 2, queries: 2, seed: 9);
        var distorting = new EpisodeSampler(data, ways: 3, shots: 2, queries: 2, seed: 9, transform: new RandomAffine(degrees: 15, translate: 1));
        for (int index = 0; index < 5; index++)
        {
            Episode before = plain.Sample(index);
            Episode after = distorting.Sample(index);
            Assert.Equal(before.SupportLabels, after.SupportLabels);
            Assert.Equal(before.QueryLabels, after.QueryLabels);
            Assert.Equal(before.ClassNames, after.ClassNames);
            EpisodeSamplerTests.AssertSame(after, distorting.Sample(index));
            Assert.NotEqual(before.Samples, after.Samples);

            // Different samples get different distortions: the changes are not one shared offset.
            int length = after.SampleLength;
            float[] change0 = [.. Enumerable.Range(0, length).Select(i => after.Samples[i] - before.Samples[i])];
            float[] change1 = [.. Enumerable.Range(0, length).Select(i => after.Samples[length + i] - before.Samples[length + i])];
            Assert.NotEqual(change0, change1);
        }
    }

    [Fact]
    public void RefusesBadSettingsAndFlatSamples()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomAffine(degrees: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomAffine(translate: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomAffine(scale: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomAffine(shear: 90));
        var flat = new FewShotDataset([6], [new FewShotClass("a", "g", new float[12], 6), new FewShotClass("b", "g", new float[12], 6)]);
        ArgumentException error = Assert.Throws<ArgumentException>(() => new EpisodeSampler(flat, 2, 1, 1, 0, new RandomAffine()));
        Assert.Contains("[6]", error.Message);
    }

    [Fact]
    public void ToStringShowsTheSettings() =>
        Assert.Equal("RandomAffine(degrees 10, translate 2, scale 0.1, shear 10, fill 0)", new RandomAffine().ToString());
}
