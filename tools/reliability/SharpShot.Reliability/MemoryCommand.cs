using System.Diagnostics;
using System.Globalization;
using SharpShot.Inference;

namespace SharpShot.Reliability;

/// <summary>
/// <c>memory</c>: runs <c>--steps</c> steps of one target — supervised training, meta-training with an algorithm, or the
/// ONNX host's <c>Predict</c> (<c>onnx</c>: <see cref="OnnxModel"/>, <c>fewshot</c>: <see cref="FewShotClassifier"/>) —
/// and reads the resident set size after <c>--first</c> steps (warm-up) and at the end: growth must stay under
/// <c>--limit</c> percent.
/// </summary>
internal static class MemoryCommand
{
    /// <summary>Supervised batches per epoch here: 800 samples in batches of 32.</summary>
    private const int BatchesPerEpoch = 25;

    /// <summary>Runs the command; returns 0 when the growth is under the limit, 1 otherwise.</summary>
    public static int Run(Options options)
    {
        var target = options.Text("target", "supervised");
        var steps = options.Int("steps", 10_000, min: 2);
        var first = options.Int("first", 1_000, min: 1);
        var limit = options.Number("limit", 5, min: 0, max: 1000);
        var samples = options.Int("samples", 10, min: 2);
        options.EnsureAllRead();
        if (first >= steps)
        {
            throw new UsageException($"--first ({first}) must be below --steps ({steps}).");
        }

        var readings = new List<(int Step, double MiB)>();
        var marks = new SortedSet<int>(Enumerable.Range(1, samples).Select(i => (int)((long)steps * i / samples))) { first, steps };
        void Mark(int step)
        {
            if (marks.Contains(step))
            {
                readings.Add((step, Rss.MiB()));
            }
        }

        var clock = Stopwatch.StartNew();
        switch (target)
        {
            case "onnx":
                RunOnnxHost(steps, Mark);
                break;
            case "fewshot":
                RunFewShotHost(steps, Mark);
                break;
            default:
                RunTraining(Workload.Parse(target), steps, first, Mark);
                break;
        }
        clock.Stop();

        var atFirst = readings.Single(r => r.Step == first).MiB;
        var atEnd = readings.Single(r => r.Step == steps).MiB;
        var growth = (atEnd - atFirst) / atFirst * 100;
        Console.WriteLine("  rss (MiB) by step: " + string.Join(", ", readings.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Step}: {r.MiB:F1}"))));
        var pass = growth < limit;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory {target}: rss {atFirst:F1} MiB at step {first}, {atEnd:F1} MiB at step {steps}, growth {growth:+0.00;-0.00}% (limit {limit}%): {(pass ? "flat" : "GROWS")}; {steps} steps in {clock.Elapsed.TotalSeconds:F0} s"));
        return pass ? 0 : 1;
    }

    private static void RunTraining(Workload workload, int steps, int first, Action<int> mark)
    {
        if (workload.Algorithm is not { } algorithm)
        {
            if (steps % BatchesPerEpoch != 0 || first % BatchesPerEpoch != 0)
            {
                throw new UsageException($"Supervised --steps and --first must be multiples of {BatchesPerEpoch} (batches per epoch).");
            }
            var model = new SmallCnn(seed: 7);
            var data = Fixtures.SupervisedData(BatchesPerEpoch * RunSize.BatchSize);
            var training = model.TrainingDefaults with { Epochs = steps / BatchesPerEpoch, BatchSize = RunSize.BatchSize, Seed = 11 };
            model.Fit(data, options: training, progress: p =>
            {
                if (p.Batch == p.BatchesPerEpoch)
                {
                    mark(p.Epoch * p.BatchesPerEpoch);
                }
            });
            return;
        }

        // Checkpoints on, as in a long run: the writes are part of what must not grow.
        var folder = Directory.CreateTempSubdirectory("sharpshot-memory-");
        try
        {
            var options = Fixtures.MetaOptions(algorithm, steps) with
            {
                CheckpointPath = Path.Combine(folder.FullName, "meta.ckpt"),
                CheckpointEvery = 500,
            };
            using var learner = Fixtures.Learner(algorithm, options);
            learner.MetaTrain(Fixtures.Glyphs(), p => mark(p.Step));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void RunOnnxHost(int calls, Action<int> mark)
    {
        using var model = OnnxModel.Load(HostModels.ClassifierBytes());
        var queries = HostModels.Queries(64, model.InputLength);
        for (var call = 1; call <= calls; call++)
        {
            _ = model.Predict(queries[call % queries.Length]);
            mark(call);
        }
    }

    private static void RunFewShotHost(int calls, Action<int> mark)
    {
        using var classifier = FewShotClassifier.Load(HostModels.EmbeddingBytes());
        var (support, labels) = HostModels.Support();
        classifier.Fit(support, labels);
        var queries = HostModels.Queries(64, classifier.InputLength);
        for (var call = 1; call <= calls; call++)
        {
            _ = classifier.PredictProbabilities(queries[call % queries.Length]);
            mark(call);
        }
    }
}
