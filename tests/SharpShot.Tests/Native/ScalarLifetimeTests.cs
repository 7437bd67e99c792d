using SharpShot.Layers;
using SharpShot.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Tests.Native;

/// <summary>
/// TorchSharp frees the native scalar of an implicit number conversion (<c>x.add_(1)</c>) from the finalizer, which a
/// garbage collection on another thread can run while the native call still reads it. Meta-training collects garbage
/// on the episode prefetcher's thread; one such collection ended a 30-minute ProtoNet run after 9 minutes with
/// "For integral input tensors, argument alpha must not be a floating point number" (batch norm's counter). These
/// tests run SharpShot's per-step code under constant collections from another thread: with the implicit scalars
/// they failed within about a second; <see cref="Scalars"/> keeps every scalar alive through its call.
/// </summary>
[Collection(GarbageCollectionStressCollection.Name)]
public class ScalarLifetimeTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(3);

    [Fact]
    public void BatchNormCountsEveryTrainingForwardUnderCollectionsOnAnotherThread()
    {
        using var norm = new BatchNormLayer("norm", features: 2, momentum: 0.1, epsilon: 1e-5);
        using Tensor input = ones(2, 2);
        norm.train();
        long forwards = 0;
        UnderCollections(() =>
        {
            using var scope = NewDisposeScope();
            norm.forward(input);
            forwards++;
        });

        Assert.Equal(forwards, norm.NumBatchesTracked.item<long>());
    }

    [Fact]
    public void RecurrentLayersGiveTheSameOutputUnderCollectionsOnAnotherThread()
    {
        using var init = new LayerInit(1);
        using var lstm = new LstmLayer("lstm", inputSize: 2, units: 2, returnSequences: false, init);
        using var gru = new GruLayer("gru", inputSize: 2, units: 2, returnSequences: false, init);
        using Tensor input = ones(1, 2, 2);
        float[] expected = [.. lstm.forward(input).data<float>(), .. gru.forward(input).data<float>()];
        UnderCollections(() =>
        {
            using var scope = NewDisposeScope();
            float[] actual = [.. lstm.forward(input).data<float>(), .. gru.forward(input).data<float>()];
            Assert.Equal(expected, actual);
        });
    }

    [Fact]
    public void ScalarArithmeticIsExactUnderCollectionsOnAnotherThread()
    {
        using Tensor one = ones(1);
        UnderCollections(() =>
        {
            using var scope = NewDisposeScope();
            Assert.Equal(0.25f, one.Times(0.5).DividedBy(2).item<float>());
            Assert.Equal(0.4f, Scalars.FullLike(one, 0.4).item<float>());
        });
    }

    /// <summary>
    /// Runs <paramref name="step"/> over and over for <see cref="Duration"/> while another thread allocates, collects and
    /// makes floating-point scalars of its own (as TorchSharp's optimizers do), which take the memory of freed ones.
    /// </summary>
    private static void UnderCollections(Action step)
    {
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.KeepAlive(new byte[100_000]);
                GC.Collect(0);
                for (int i = 0; i < 16; i++)
                {
                    using Scalar other = 2.5.ToScalar();
                }
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < Duration)
            {
                step();
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
    }
}

/// <summary>Tests that collect garbage constantly run alone: other tests' TorchSharp calls would share the hazard.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GarbageCollectionStressCollection
{
    public const string Name = "Garbage-collection stress";
}
