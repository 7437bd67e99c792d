using System.Diagnostics;
using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Episodes;

public class PrefetchingEpisodesTests
{
    private static readonly FewShotDataset Data = FewShotTestData.Tagged(classes: 10, samplesPerClass: 6, shape: [1, 3, 3]);

    [Fact]
    public void PrefetchedEpisodesAreTheSampledOnesInOrder()
    {
        var sampler = new EpisodeSampler(Data, ways: 3, shots: 2, queries: 2, seed: 11, transform: new RotateClasses());
        using var prefetched = new PrefetchingEpisodes(sampler, start: 25, depth: 3, count: 40);
        Assert.Equal(25, prefetched.NextIndex);
        Episode first = prefetched.Next();
        EpisodeSamplerTests.AssertSame(sampler.Sample(25), first);
        Assert.Equal(26, prefetched.NextIndex);

        int read = 1;
        foreach (Episode episode in prefetched)
        {
            EpisodeSamplerTests.AssertSame(sampler.Sample(25 + read), episode);
            read++;
        }

        Assert.Equal(40, read);
        Assert.Throws<InvalidOperationException>(() => prefetched.Next());
    }

    [Fact]
    public void SamplingErrorsReachTheReaderAtTheirEpisode()
    {
        var sampler = new EpisodeSampler(Data, ways: 2, shots: 1, queries: 1, seed: 0, transform: new FailingTransform(failAt: 5));
        using var prefetched = new PrefetchingEpisodes(sampler, start: 2, depth: 2);
        for (int index = 2; index < 5; index++)
        {
            Assert.Equal(index, prefetched.Next().Index);
        }

        var error = Assert.Throws<InvalidDataException>(() => prefetched.Next());
        Assert.Equal("bad episode 5", error.Message);
        Assert.Contains(nameof(FailingTransform), error.StackTrace); // the original stack, not a wrapper's
        Assert.Throws<InvalidDataException>(() => prefetched.Next()); // and it stays failed
    }

    [Fact]
    public void DisposingStopsTheBackgroundTask()
    {
        var counting = new CountingTransform();
        var sampler = new EpisodeSampler(Data, ways: 2, shots: 1, queries: 1, seed: 0, transform: counting);
        var prefetched = new PrefetchingEpisodes(sampler, start: 0, depth: 2);
        prefetched.Next();
        var clock = Stopwatch.StartNew();
        while (counting.Count < 3 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(5);
        }

        // The queue is bounded: one read, two queued, at most one more waiting to be queued.
        Thread.Sleep(100);
        Assert.InRange(counting.Count, 3, 4);
        prefetched.Dispose();
        int afterDispose = counting.Count;
        Thread.Sleep(100);
        Assert.Equal(afterDispose, counting.Count);
        Assert.Throws<ObjectDisposedException>(() => prefetched.Next());
        prefetched.Dispose(); // twice is fine
    }

    [Fact]
    public void WaitingReaderCanBeCancelled()
    {
        using var release = new ManualResetEventSlim();
        var sampler = new EpisodeSampler(Data, ways: 2, shots: 1, queries: 1, seed: 0, transform: new BlockedTransform(release));
        using var prefetched = new PrefetchingEpisodes(sampler, start: 0, depth: 1);
        using var cancel = new CancellationTokenSource();
        var canceller = new Thread(() =>
        {
            Thread.Sleep(50);
            cancel.Cancel();
        });
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => prefetched.Next(cancel.Token));
        canceller.Join();
        release.Set();
        Assert.Equal(0, prefetched.Next().Index); // the episode still comes once sampling finishes
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        var sampler = new EpisodeSampler(Data, 2, 1, 1, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefetchingEpisodes(sampler, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefetchingEpisodes(sampler, 0, depth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefetchingEpisodes(sampler, 0, count: -2));
        using var none = new PrefetchingEpisodes(sampler, 0, count: 0);
        Assert.Empty(none);
    }

    private sealed class FailingTransform(int failAt) : EpisodeTransform
    {
        public override Episode Apply(Episode episode, Random random) =>
            episode.Index == failAt ? throw new InvalidDataException($"bad episode {failAt}") : episode;
    }

    private sealed class CountingTransform : EpisodeTransform
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public override Episode Apply(Episode episode, Random random)
        {
            Interlocked.Increment(ref count);
            return episode;
        }
    }

    private sealed class BlockedTransform(ManualResetEventSlim release) : EpisodeTransform
    {
        public override Episode Apply(Episode episode, Random random)
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return episode;
        }
    }
}
