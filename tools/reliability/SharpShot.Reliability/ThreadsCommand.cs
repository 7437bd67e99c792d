using System.Runtime.InteropServices;
using SharpShot.Inference;

namespace SharpShot.Reliability;

/// <summary>
/// <c>threads</c>: <c>--threads</c> threads each make <c>--calls</c> predictions on one shared <see cref="OnnxModel"/>, then
/// on one shared <see cref="FewShotClassifier"/>; every answer must equal, bit for bit, the serial answer for its input.
/// </summary>
internal static class ThreadsCommand
{
    private const int DistinctInputs = 64;

    /// <summary>Runs the command; returns 0 when every concurrent answer equals the serial one.</summary>
    public static int Run(Options options)
    {
        var threads = options.Int("threads", 16, min: 1, max: 256);
        var calls = options.Int("calls", 10_000, min: 1);
        options.EnsureAllRead();

        int onnxMismatches, fewShotMismatches;
        using (var model = OnnxModel.Load(HostModels.ClassifierBytes()))
        {
            var queries = HostModels.Queries(DistinctInputs, model.InputLength);
            var serial = queries.Select(q => model.Predict(q)).ToArray();
            onnxMismatches = Hammer(threads, calls, (thread, call) =>
            {
                var i = (thread * 7 + call) % DistinctInputs;
                float[] output;
                if (call % 2 == 0)
                {
                    output = model.Predict(queries[i]);
                }
                else
                {
                    output = new float[model.OutputLength];
                    model.Predict(queries[i], output);
                }
                return SameBits(serial[i], output);
            });
            Report("onnx", threads, calls, onnxMismatches);
        }

        using (var classifier = FewShotClassifier.Load(HostModels.EmbeddingBytes()))
        {
            var (support, labels) = HostModels.Support();
            classifier.Fit(support, labels);
            var queries = HostModels.Queries(DistinctInputs, classifier.InputLength);
            var serialProbabilities = queries.Select(q => classifier.PredictProbabilities(q)).ToArray();
            var serialClasses = queries.Select(q => classifier.Predict(q)[0]).ToArray();
            fewShotMismatches = Hammer(threads, calls, (thread, call) =>
            {
                var i = (thread * 7 + call) % DistinctInputs;
                return call % 2 == 0
                    ? SameBits(serialProbabilities[i], classifier.PredictProbabilities(queries[i]))
                    : classifier.Predict(queries[i])[0] == serialClasses[i];
            });
            Report("fewshot", threads, calls, fewShotMismatches);
        }
        return onnxMismatches == 0 && fewShotMismatches == 0 ? 0 : 1;
    }

    private static void Report(string target, int threads, int calls, int mismatches) =>
        Console.WriteLine($"threads {target}: {threads} threads × {calls} calls = {(long)threads * calls} answers, {mismatches} differ from serial: identical {(mismatches == 0 ? "yes" : "no")}");

    /// <summary>Runs <paramref name="call"/> <paramref name="calls"/> times on each of <paramref name="threads"/> threads started together; returns how many calls answered wrong.</summary>
    private static int Hammer(int threads, int calls, Func<int, int, bool> call)
    {
        var mismatches = 0;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var wrong = 0;
            for (var c = 0; c < calls; c++)
            {
                if (!call(t, c))
                {
                    wrong++;
                }
            }
            Interlocked.Add(ref mismatches, wrong);
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }
        foreach (var worker in workers)
        {
            worker.Join();
        }
        return mismatches;
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan()));
}
