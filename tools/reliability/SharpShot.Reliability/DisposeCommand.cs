using SharpShot.Inference;

namespace SharpShot.Reliability;

/// <summary>
/// <c>dispose</c>: <c>--tries</c> times per target, loads a model (<see cref="OnnxModel"/>, then
/// <see cref="FewShotClassifier"/>), lets <c>--threads</c> threads call it in a loop through every prediction entry point,
/// disposes it after a seeded delay, and checks that every caller ended with <see cref="ObjectDisposedException"/>, that a
/// call after Dispose throws it too, and that no caller hangs. A native crash ends the process, which the script reports.
/// </summary>
internal static class DisposeCommand
{
    private static readonly TimeSpan JoinLimit = TimeSpan.FromSeconds(10);

    /// <summary>Runs the command; returns 0 when every call ended as it should.</summary>
    public static int Run(Options options)
    {
        var tries = options.Int("tries", 1_000, min: 1);
        var threads = options.Int("threads", 8, min: 1, max: 64);
        var seed = options.Int("seed", 1);
        options.EnsureAllRead();
        var random = new Random(seed);

        var classifierBytes = HostModels.ClassifierBytes();
        var onnx = Tally("onnx", tries, threads, random, () =>
        {
            var model = OnnxModel.Load(classifierBytes);
            var queries = HostModels.Queries(4, model.InputLength);
            var batch = queries.SelectMany(q => q).ToArray();
            return (model, (thread, call) =>
            {
                switch ((thread + call) % 4)
                {
                    case 0:
                        _ = model.Predict(queries[call % 4]);
                        break;
                    case 1:
                        _ = model.PredictBatch(batch, 4);
                        break;
                    case 2:
                        _ = model.Classify(queries[call % 4]);
                        break;
                    default:
                        _ = model.Run(new Dictionary<string, OnnxTensor> { [model.InputName] = OnnxTensor.Create(queries[call % 4], [1, .. model.InputShape.Select(d => (long)d)]) });
                        break;
                }
            });
        });

        var embeddingBytes = HostModels.EmbeddingBytes();
        var (support, labels) = HostModels.Support();
        var fewShot = Tally("fewshot", tries, threads, random, () =>
        {
            var classifier = FewShotClassifier.Load(embeddingBytes);
            classifier.Fit(support, labels);
            var queries = HostModels.Queries(4, classifier.InputLength);
            return (classifier, (thread, call) =>
            {
                switch ((thread + call) % 4)
                {
                    case 0:
                        _ = classifier.Predict(queries[call % 4]);
                        break;
                    case 1:
                        _ = classifier.PredictProbabilities(queries[call % 4]);
                        break;
                    case 2:
                        _ = classifier.Embed(queries[call % 4]);
                        break;
                    default:
                        _ = classifier.ClassifyLabelOrUnknown(queries[call % 4]);
                        break;
                }
            });
        });
        return onnx && fewShot ? 0 : 1;
    }

    /// <summary>Runs the tries for one target and prints its line; returns whether every call ended with <see cref="ObjectDisposedException"/>.</summary>
    private static bool Tally(string target, int tries, int threads, Random random, Func<(IDisposable Model, Action<int, int> Call)> create)
    {
        long disposedEndings = 0, callsBeforeDispose = 0, hung = 0, afterDisposeWrong = 0;
        var others = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < tries; t++)
        {
            var (model, call) = create();
            var endings = new Exception?[threads];
            var counts = new long[threads];
            using var started = new CountdownEvent(threads);
            var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
            {
                started.Signal();
                try
                {
                    for (var c = 0; ; c++)
                    {
                        call(i, c);
                        counts[i]++;
                    }
                }
                catch (Exception e)
                {
                    endings[i] = e;
                }
            })).ToArray();
            foreach (var worker in workers)
            {
                worker.Start();
            }
            started.Wait();
            Thread.Sleep(random.Next(0, 4));
            model.Dispose();
            foreach (var worker in workers)
            {
                if (!worker.Join(JoinLimit))
                {
                    hung++;
                }
            }
            foreach (var ending in endings)
            {
                if (ending is ObjectDisposedException)
                {
                    disposedEndings++;
                }
                else if (ending is not null)
                {
                    var key = $"{ending.GetType().FullName}: {ending.Message.Split('\n')[0]}";
                    others[key] = others.GetValueOrDefault(key) + 1;
                }
            }
            callsBeforeDispose += counts.Sum();
            try
            {
                call(0, 0);
                afterDisposeWrong++;
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception)
            {
                afterDisposeWrong++;
            }
        }
        var otherCount = others.Values.Sum();
        Console.WriteLine($"dispose {target}: {tries} tries × {threads} threads: {disposedEndings} callers ended with ObjectDisposedException, " +
            $"{otherCount} with another exception, {hung} hung; {tries - afterDisposeWrong}/{tries} calls after Dispose threw ObjectDisposedException; " +
            $"{callsBeforeDispose} calls completed before the disposes");
        foreach (var (what, count) in others)
        {
            Console.WriteLine($"  {count} × {what}");
        }
        return otherCount == 0 && hung == 0 && afterDisposeWrong == 0 && disposedEndings == (long)tries * threads;
    }
}
