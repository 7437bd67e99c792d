using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Episodes;

public class RotateClassesTests
{
    [Fact]
    public void QuarterTurnsMatchNumpyRot90()
    {
        // numpy.rot90([[1, 2, 3], [4, 5, 6], [7, 8, 9]], k) for k = 0 … 3.
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        float[][] expected =
        [
            [1, 2, 3, 4, 5, 6, 7, 8, 9],
            [3, 6, 9, 2, 5, 8, 1, 4, 7],
            [9, 8, 7, 6, 5, 4, 3, 2, 1],
            [7, 4, 1, 8, 5, 2, 9, 6, 3],
        ];
        for (int k = 0; k < 4; k++)
        {
            var turned = new float[9];
            RotateClasses.Rotate(image, turned, 3, k);
            Assert.Equal(expected[k], turned);
        }
    }

    [Fact]
    public void EveryClassTurnsAsAWholeAndIsRenamed()
    {
        // Each class's samples are the same asymmetric 2-channel image, scaled by the class number.
        int[] shape = [2, 3, 3];
        float[] image = Enumerable.Range(1, 18).Select(v => (float)v).ToArray();
        var classes = Enumerable.Range(0, 8)
            .Select(c => new FewShotClass($"c{c}", "g", Enumerable.Range(0, 4).SelectMany(_ => image.Select(v => v * (c + 1))).ToArray(), 18))
            .ToArray();
        var data = new FewShotDataset(shape, classes);
        var plain = new EpisodeSampler(data, ways: 4, shots: 2, queries: 1, seed: 3);
        var rotating = new EpisodeSampler(data, ways: 4, shots: 2, queries: 1, seed: 3, transform: new RotateClasses());

        var anglesSeen = new HashSet<int>();
        for (int index = 0; index < 40; index++)
        {
            Episode before = plain.Sample(index);
            Episode after = rotating.Sample(index);
            Assert.Equal(before.SupportLabels, after.SupportLabels); // the transform does not change which samples are drawn
            Assert.Equal(before.QueryLabels, after.QueryLabels);
            EpisodeSamplerTests.AssertSame(after, rotating.Sample(index)); // and is as reproducible

            for (int label = 0; label < 4; label++)
            {
                string name = after.ClassNames[label];
                int turns = name.Contains('@') ? int.Parse(name[(name.IndexOf('@') + 1)..]) / 90 : 0;
                Assert.Equal(before.ClassNames[label], turns == 0 ? name : name[..name.IndexOf('@')]);
                anglesSeen.Add(turns);
                int[] rows = [.. Rows(after.SupportLabels, label, 0), .. Rows(after.QueryLabels, label, after.SupportCount)];
                foreach (int row in rows)
                {
                    for (int channel = 0; channel < 2; channel++)
                    {
                        var expected = new float[9];
                        RotateClasses.Rotate(before.Samples.AsSpan((row * 18) + (channel * 9), 9), expected, 3, turns);
                        Assert.Equal(expected, after.Samples.AsSpan((row * 18) + (channel * 9), 9).ToArray());
                    }
                }
            }
        }

        Assert.Equal(new HashSet<int> { 0, 1, 2, 3 }, anglesSeen);
    }

    [Fact]
    public void ChosenTurnsOnly()
    {
        FewShotDataset data = FewShotTestData.Tagged(6, 3, [1, 4, 4]);
        var sampler = new EpisodeSampler(data, 3, 1, 1, seed: 0, transform: new RotateClasses(2));
        Assert.All(Enumerable.Range(0, 10).SelectMany(i => sampler.Sample(i).ClassNames), name => Assert.EndsWith("@180", name));
        Assert.Equal("RotateClasses(2)", sampler.Transform!.ToString());
        Assert.Equal("RotateClasses(0, 1, 2, 3)", new RotateClasses().ToString());
    }

    [Fact]
    public void NonSquareSamplesAreRejectedWhenTheSamplerIsCreated()
    {
        FewShotDataset data = FewShotTestData.Tagged(6, 3, [1, 4, 5]);
        var error = Assert.Throws<ArgumentException>(() => new EpisodeSampler(data, 3, 1, 1, seed: 0, transform: new RotateClasses()));
        Assert.Contains("[1, 4, 5]", error.Message);
        Assert.Throws<ArgumentException>(() => new RotateClasses(4));
        Assert.Throws<ArgumentException>(() => new RotateClasses([]));
    }

    private static IEnumerable<int> Rows(int[] labels, int label, int offset) =>
        labels.Select((l, i) => (l, i)).Where(p => p.l == label).Select(p => p.i + offset);
}
