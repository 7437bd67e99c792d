using System.Runtime.InteropServices;

namespace SharpShot.Inference.Tests;

/// <summary>
/// The short versions of tools/reliability/host.sh: many threads on one model answer exactly as serial calls do, and a
/// few-shot classifier disposed under load ends every call with <see cref="ObjectDisposedException"/>.
/// </summary>
public class HostUnderLoadTests
{
    private const int Threads = 16;
    private const int CallsPerThread = 400;
    private const int DistinctInputs = 32;

    [Fact]
    public void Sixteen_threads_on_one_model_answer_bit_for_bit_as_serial_calls()
    {
        using var model = OnnxModel.Load(TestModels.Conv());
        var inputs = Enumerable.Range(0, DistinctInputs).Select(i => Reference.Random(model.InputLength, seed: 300 + i)).ToArray();
        var serial = inputs.Select(x => model.Predict(x)).ToArray();

        var wrong = Hammer((thread, call) =>
        {
            var i = (thread * 5 + call) % DistinctInputs;
            return SameBits(serial[i], model.Predict(inputs[i]));
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Sixteen_threads_on_one_few_shot_classifier_answer_bit_for_bit_as_serial_calls()
    {
        using var classifier = FewShotClassifier.Load(TestModels.Dense());
        var support = Enumerable.Range(0, 6).Select(i => Reference.Random(classifier.InputLength, seed: 400 + i)).ToArray();
        classifier.Fit(FewShotModels.Concat(support), ["a", "b", "c", "a", "b", "c"]);
        var inputs = Enumerable.Range(0, DistinctInputs).Select(i => Reference.Random(classifier.InputLength, seed: 500 + i)).ToArray();
        var serialProbabilities = inputs.Select(x => classifier.PredictProbabilities(x)).ToArray();
        var serialClasses = inputs.Select(x => classifier.Predict(x)[0]).ToArray();

        var wrong = Hammer((thread, call) =>
        {
            var i = (thread * 5 + call) % DistinctInputs;
            return call % 2 == 0
                ? SameBits(serialProbabilities[i], classifier.PredictProbabilities(inputs[i]))
                : classifier.Predict(inputs[i])[0] == serialClasses[i];
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Disposing_a_few_shot_classifier_under_load_ends_every_call_with_object_disposed()
    {
        const int tries = 50;
        const int callers = 4;
        var random = new Random(9);
        for (var t = 0; t < tries; t++)
        {
            var classifier = FewShotClassifier.Load(TestModels.Dense());
            var support = Enumerable.Range(0, 3).Select(i => Reference.Random(classifier.InputLength, seed: 600 + i)).ToArray();
            classifier.Fit(FewShotModels.Concat(support), ["a", "b", "c"]);
            var query = Reference.Random(classifier.InputLength, seed: 700 + t);
            var endings = new Exception?[callers];
            using var started = new CountdownEvent(callers);
            var workers = Enumerable.Range(0, callers).Select(c => new Thread(() =>
            {
                started.Signal();
                try
                {
                    for (var call = 0; ; call++)
                    {
                        switch ((c + call) % 4)
                        {
                            case 0: _ = classifier.Predict(query); break;
                            case 1: _ = classifier.PredictProbabilities(query); break;
                            case 2: _ = classifier.Embed(query); break;
                            default: _ = classifier.ClassifyLabelOrUnknown(query); break;
                        }
                    }
                }
                catch (Exception e)
                {
                    endings[c] = e;
                }
            })).ToArray();
            foreach (var worker in workers)
            {
                worker.Start();
            }
            started.Wait();
            Thread.Sleep(random.Next(0, 3));
            classifier.Dispose();
            foreach (var worker in workers)
            {
                Assert.True(worker.Join(TimeSpan.FromSeconds(10)), "a caller did not stop after Dispose");
            }

            Assert.All(endings, e => Assert.IsType<ObjectDisposedException>(e));
            Assert.Throws<ObjectDisposedException>(() => classifier.Predict(query));
            Assert.Throws<ObjectDisposedException>(() => classifier.PredictProbabilities(query));
        }
    }

    /// <summary>Runs <paramref name="call"/> <see cref="CallsPerThread"/> times on each of <see cref="Threads"/> threads started together; returns how many answered wrong.</summary>
    private static int Hammer(Func<int, int, bool> call)
    {
        var wrong = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (var c = 0; c < CallsPerThread; c++)
                {
                    if (!call(t, c))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }
        foreach (var worker in workers)
        {
            worker.Join();
        }
        Assert.Empty(failures);
        return wrong;
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan()));
}
