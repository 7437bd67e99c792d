using SharpShot.FewShot;
using static SharpShot.Tests.FewShot.Episodes.FewShotTestData;

namespace SharpShot.Tests.FewShot.Episodes;

public class EpisodeSamplerTests
{
    private static readonly FewShotDataset Data = Tagged(classes: 12, samplesPerClass: 9, shape: [1, 2, 2]);

    [Fact]
    public void EpisodesHaveDistinctClassesDistinctSamplesAndRemappedLabels()
    {
        var sampler = new EpisodeSampler(Data, ways: 5, shots: 2, queries: 3, seed: 1);
        foreach (Episode episode in sampler.Take(200))
        {
            Assert.Equal((5, 2, 3, 10, 15, 4), (episode.Ways, episode.Shots, episode.Queries, episode.SupportCount, episode.QueryCount, episode.SampleLength));
            Assert.Equal(new[] { 1, 2, 2 }, episode.SampleShape);
            Assert.Equal((10 + 15) * 4, episode.Samples.Length);
            Assert.Equal(5, episode.ClassNames.Distinct().Count());

            // Label j is ClassNames[j]; every sample of that label really comes from that class, and none twice.
            var seen = new HashSet<(int, int)>();
            int[] labels = [.. episode.SupportLabels, .. episode.QueryLabels];
            for (int row = 0; row < labels.Length; row++)
            {
                ReadOnlySpan<float> sample = episode.Samples.AsSpan(row * 4, 4);
                Assert.True(sample.IndexOfAnyExcept(sample[0]) < 0, "a sample is copied whole");
                (int classIndex, int sampleIndex) = Untag(sample[0]);
                Assert.Equal(Data.Classes[classIndex].Name, episode.ClassNames[labels[row]]);
                Assert.True(seen.Add((classIndex, sampleIndex)), $"sample {sampleIndex} of class {classIndex} drawn twice");
            }

            for (int label = 0; label < 5; label++)
            {
                Assert.Equal(2, episode.SupportLabels.Count(l => l == label));
                Assert.Equal(3, episode.QueryLabels.Count(l => l == label));
            }

            Assert.Equal(episode.Samples.AsMemory(0, 40).ToArray(), episode.Support.ToArray());
            Assert.Equal(episode.Samples.AsMemory(40).ToArray(), episode.Query.ToArray());
        }
    }

    [Fact]
    public void SamplingCoversEveryClassAndEverySample()
    {
        var sampler = new EpisodeSampler(Data, ways: 3, shots: 1, queries: 1, seed: 2);
        var classes = new HashSet<string>();
        var samples = new HashSet<float>();
        foreach (Episode episode in sampler.Take(400))
        {
            classes.UnionWith(episode.ClassNames);
            foreach (float value in episode.Samples)
            {
                samples.Add(value);
            }
        }

        Assert.Equal(12, classes.Count);
        Assert.Equal(12 * 9, samples.Count);
    }

    [Fact]
    public void EpisodeDependsOnlyOnSeedAndIndex()
    {
        var sampler = new EpisodeSampler(Data, ways: 4, shots: 1, queries: 2, seed: 7);
        var again = new EpisodeSampler(Data, ways: 4, shots: 1, queries: 2, seed: 7);
        var other = new EpisodeSampler(Data, ways: 4, shots: 1, queries: 2, seed: 8);

        Episode direct = sampler.Sample(37);
        Assert.Equal(37, direct.Index);
        AssertSame(direct, again.Sample(37));
        AssertSame(direct, sampler.Episodes(30).Skip(7).First()); // drawing others first changes nothing
        AssertSame(direct, sampler.Skip(37).First());
        AssertSame(sampler.Sample(0), again.Sample(0));
        Assert.NotEqual(direct.Samples, other.Sample(37).Samples);
        Assert.NotEqual(direct.Samples, sampler.Sample(38).Samples);

        // Threads drawing concurrently get the same episodes.
        Episode[] parallel = new Episode[64];
        Parallel.For(0, parallel.Length, i => parallel[i] = sampler.Sample(i));
        for (int i = 0; i < parallel.Length; i++)
        {
            AssertSame(again.Sample(i), parallel[i]);
        }
    }

    [Fact]
    public void TooFewClassesIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => new EpisodeSampler(Data, ways: 13, shots: 1, queries: 1, seed: 0));
        Assert.Contains("13-way", error.Message);
        Assert.Contains("has 12", error.Message);
    }

    [Fact]
    public void TooSmallClassIsNamedWithTheCounts()
    {
        FewShotDataset data = Tagged(classes: 6, samplesPerClass: 10, shape: [3], sizeOf: c => c is 2 or 4 ? 5 : 10);
        var error = Assert.Throws<ArgumentException>(() => new EpisodeSampler(data, ways: 3, shots: 1, queries: 5, seed: 0));
        Assert.Contains("'g2/c2' has 5 samples", error.Message);
        Assert.Contains("draws 6", error.Message);
        Assert.Contains("2 of the dataset's 6 classes", error.Message);

        // Exactly enough is fine.
        _ = new EpisodeSampler(data, ways: 3, shots: 1, queries: 4, seed: 0).Sample(0);
    }

    [Fact]
    public void InvalidCountsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Data, 0, 1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Data, 2, 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Data, 2, 1, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpisodeSampler(Data, 2, 1, 1, 0).Sample(-1));
        Assert.Empty(new EpisodeSampler(Data, 2, 1, 0, 0).Sample(0).QueryLabels); // support-only episodes are allowed
    }

    [Fact]
    public void EpisodeRejectsInconsistentLabels()
    {
        float[] samples = new float[4 * 3];
        Assert.Throws<ArgumentException>(() => new Episode(0, [3], 2, 1, 1, samples, [0, 0], [0, 1], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => new Episode(0, [3], 2, 1, 1, samples, [0, 2], [0, 1], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => new Episode(0, [3], 2, 1, 1, new float[5], [0, 1], [0, 1], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => new Episode(0, [3], 2, 1, 1, samples, [0, 1], [0, 1], ["a"]));
        _ = new Episode(0, [3], 2, 1, 1, samples, [1, 0], [0, 1], ["a", "b"]);
    }

    internal static void AssertSame(Episode expected, Episode actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.SupportLabels, actual.SupportLabels);
        Assert.Equal(expected.QueryLabels, actual.QueryLabels);
        Assert.Equal(expected.Samples, actual.Samples);
    }
}
