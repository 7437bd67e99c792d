using System.Globalization;
using SharpShot;
using SharpShot.FewShot;
using SharpShot.Data;
using SharpShot.Inference;
using SharpShot.Onnx;
using static TorchSharp.torch;

namespace FewShotExample;

/// <summary>The class splits: training (with rotated copies as extra classes), validation and test alphabets (or glyph groups), named in <paramref name="TestGroups"/>.</summary>
internal sealed record Data(FewShotDataset Train, FewShotDataset Validation, FewShotDataset Test, IReadOnlyList<string> TestGroups)
{
    public static Data Load(Options options)
    {
        string? path = Omniglot.Locate(options.DataPath);
        FewShotDataset all;
        IReadOnlyList<string> testGroups = options.TestAlphabets;
        if (path is not null)
        {
            Console.WriteLine($"Omniglot from {path}");
            all = Omniglot.Load(path);
        }
        else
        {
            Console.WriteLine(
                "No Omniglot found (no --data, nothing under $SHARPSHOT_DATA/omniglot): meta-training on generated glyphs " +
                "instead (300 classes in 10 groups, the last two held out). Pass --data DIR for the real data set.");
            all = SyntheticGlyphs.Generate(classes: 300, samplesPerClass: 20, seed: 1, groups: 10);
            testGroups = ["group8", "group9"];
        }

        (FewShotDataset train, FewShotDataset test) = all.SplitByGroups(testGroups);

        // Every tenth training character (with its rotations) validates: classes training never sees.
        FewShotClass[] validation = train.Classes.Where((_, i) => i % 10 == 0).ToArray();
        FewShotClass[] rest = train.Classes.Where((_, i) => i % 10 != 0).ToArray();
        return new Data(
            Omniglot.WithRotations(new FewShotDataset(train.SampleShape, rest, train.Scaling)),
            Omniglot.WithRotations(new FewShotDataset(train.SampleShape, validation, train.Scaling)),
            test,
            testGroups);
    }
}

/// <summary>The model and settings for the chosen algorithm.</summary>
internal static class Setup
{
    /// <summary>Training episodes (tasks) when --episodes is not given: what reaches the targets in README.md.</summary>
    public static int DefaultEpisodes(MetaAlgorithm algorithm) => algorithm switch
    {
        MetaAlgorithm.ProtoNet => 24_000,
        _ => 32 * 1_500,
    };

    /// <summary>The wall-time cap when --minutes is not given: the targets' budgets.</summary>
    public static double DefaultMinutes(MetaAlgorithm algorithm) => algorithm == MetaAlgorithm.ProtoNet ? 30 : 60;

    public static (SequentialModel Model, MetaLearnerOptions Options) Create(Options options)
    {
        if (options.Algorithm == MetaAlgorithm.ProtoNet)
        {
            var embedding = new OmniglotEmbedding(seed: options.Seed);
            return (embedding, embedding.MetaLearningDefaults with
            {
                Ways = options.TrainWays ?? embedding.MetaLearningDefaults.Ways,
                Shots = options.Shots,
                Seed = options.Seed,
                Transform = Augmentation(options),
            });
        }

        if (options.TestWays.Count > 1)
        {
            throw new ArgumentException($"{options.Algorithm} adapts a head of one output per class, so it tests at the way count it trains at; got --ways {string.Join(",", options.TestWays)}.");
        }

        int ways = options.TrainWays ?? options.Ways;
        if (ways != options.Ways)
        {
            throw new ArgumentException($"{options.Algorithm} adapts a head of one output per class, so it trains and tests at the same way count; got --train-ways {ways} and --ways {options.Ways}.");
        }

        (SequentialModel model, MetaLearnerOptions declared) = ways switch
        {
            5 => Declared(new OmniglotLearner5(seed: options.Seed), m => m.MetaLearningDefaults),
            20 => Declared(new OmniglotLearner20(seed: options.Seed), m => m.MetaLearningDefaults),
            _ => throw new ArgumentException(
                $"This example declares MAML-family heads for 5 and 20 ways; for {ways} ways declare another model with Dense({ways}) as its last layer in examples/FewShot/Models.cs."),
        };

        MetaLearnerOptions settings = declared with
        {
            Algorithm = options.Algorithm,
            Shots = options.Shots,
            Seed = options.Seed,
            Transform = Augmentation(options),
        };
        if (options.Algorithm == MetaAlgorithm.Reptile)
        {
            // Reptile needs several inner steps to move anywhere (Nichol et al. use 5 in training, more at test).
            settings = settings with { InnerSteps = 5, EvaluationInnerSteps = 10, InnerLearningRate = 0.1 };
        }

        return (model, settings);
    }

    /// <summary>Small per-sample distortions, as the same character drawn by another hand differs (see Options.Augment).</summary>
    private static RandomAffine? Augmentation(Options options) => options.Augment ? new RandomAffine() : null;

    private static (SequentialModel, MetaLearnerOptions) Declared<TModel>(TModel model, Func<TModel, MetaLearnerOptions> defaults)
        where TModel : SequentialModel => (model, defaults(model));
}

/// <summary>Console reporting.</summary>
internal static class Report
{
    public static double LastPace { get; private set; }

    public static int LastStep { get; private set; }

    public static void Progress(MetaTrainingProgress p)
    {
        LastPace = p.EpisodesPerSecond;
        LastStep = p.Step;
        string validation = p.LastValidation is { } v
            ? string.Create(CultureInfo.InvariantCulture, $", validation {v.Evaluation.Accuracy:P1} (step {v.Step})")
            : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.Steps} ({p.Fraction:P0}): loss {p.Loss:F3}, acc {p.Accuracy:P1}, lr {p.LearningRate:G3}, {p.EpisodesPerSecond:F1} tasks/s, " +
            $"elapsed {p.Elapsed:hh\\:mm\\:ss}, ETA {p.Remaining:hh\\:mm\\:ss}{validation}"));
    }

    public static Dictionary<string, object> Row(int ways, int shots, FewShotEvaluation result) => new()
    {
        ["ways"] = ways,
        ["shots"] = shots,
        ["test_accuracy"] = Math.Round(result.Accuracy, 5),
        ["ci95"] = Math.Round(result.ConfidenceInterval95, 5),
        ["episodes"] = result.Episodes,
    };
}

/// <summary>Runs the exported ONNX files with ONNX Runtime on test episodes, as a deployed app would.</summary>
internal static class OnnxCheck
{
    private const int TestSeed = 2024;

    /// <summary>Accuracy of <see cref="FewShotClassifier"/> (prototypes over the exported embedding) on the first 100 test episodes.</summary>
    public static double Prototypes(string onnxPath, FewShotDataset test, Options options, int queries)
    {
        using var classifier = FewShotClassifier.Load(onnxPath);
        int episodes = Math.Min(100, options.TestEpisodes);
        int correct = 0, total = 0;
        foreach (Episode episode in new EpisodeSampler(test, options.Ways, options.Shots, queries, TestSeed).Episodes().Take(episodes))
        {
            classifier.Fit(ModelInput(classifier.ImageInput, test.Scaling, episode.Support.Span), episode.SupportLabels);
            int[] predicted = classifier.Predict(ModelInput(classifier.ImageInput, test.Scaling, episode.Query.Span));
            correct += predicted.Where((label, i) => label == episode.QueryLabels[i]).Count();
            total += predicted.Length;
        }

        double accuracy = (double)correct / total;
        Console.WriteLine($"ONNX Runtime, FewShotClassifier over the exported embedding: {accuracy:P2} on the first {episodes} test episodes");
        return accuracy;
    }

    /// <summary>
    /// Accuracy of ONNX Runtime on the first 20 test episodes' queries, each with the learner adapted to the
    /// episode's support set in TorchSharp and exported (batch norm as --query-normalization says: by default the
    /// support set's statistics, written into the file; with "batch", the statistics of the queries given together).
    /// </summary>
    public static double Adapted(MetaLearner learner, FewShotDataset test, Options options, int queries, string outputDirectory)
    {
        int episodes = Math.Min(20, options.TestEpisodes);
        string path = Path.Combine(outputDirectory, "adapted.onnx");
        int correct = 0, total = 0;
        foreach (Episode episode in new EpisodeSampler(test, options.Ways, options.Shots, queries, TestSeed).Episodes().Take(episodes))
        {
            using (var scope = NewDisposeScope())
            {
                long[] shape = [episode.SupportCount, .. episode.SampleShape.Select(d => (long)d)];
                learner.ExportAdaptedOnnx(path, tensor(episode.Support.ToArray(), shape), tensor(episode.SupportLabels.Select(l => (long)l).ToArray()));
            }

            using var onnx = OnnxModel.Load(path);
            var logits = new float[episode.QueryCount * onnx.OutputLength];
            onnx.PredictBatch(ModelInput(onnx.ImageInput, test.Scaling, episode.Query.Span), episode.QueryCount, logits);
            for (int i = 0; i < episode.QueryCount; i++)
            {
                ReadOnlySpan<float> row = logits.AsSpan(i * onnx.OutputLength, onnx.OutputLength);
                correct += row.IndexOf(MaxOf(row)) == episode.QueryLabels[i] ? 1 : 0;
                total++;
            }
        }

        double accuracy = (double)correct / total;
        Console.WriteLine($"ONNX Runtime, learner adapted per episode and exported ({path}): {accuracy:P2} on the first {episodes} test episodes");
        return accuracy;
    }

    /// <summary>
    /// The adaptive model (<c>adaptive.onnx</c>: the inner loop inside the graph) against the TorchSharp adaptation of the
    /// same learner, paired on the same test episodes: the fraction of queries where both pick the same class, both
    /// accuracies, and ONNX Runtime's median time for one episode (adaptation and all its queries).
    /// </summary>
    public static (double Agreement, double TorchAccuracy, double OnnxAccuracy, double MedianMs, string Path) Adaptive(
        MetaLearner learner, FewShotDataset test, Options options, int queries, string outputDirectory)
    {
        string path = Path.GetFullPath(Path.Combine(outputDirectory, "adaptive.onnx"));
        learner.ExportAdaptiveOnnx(path);
        using var onnx = OnnxModel.Load(path);
        ImageInputContract? image = ImageInputContract.FromMetadata(onnx.Metadata);
        int same = 0, torchCorrect = 0, onnxCorrect = 0, total = 0;
        var times = new List<double>();
        foreach (Episode episode in new EpisodeSampler(test, options.Ways, options.Shots, queries, TestSeed).Episodes().Take(options.TestEpisodes))
        {
            long[] sample = [.. episode.SampleShape.Select(d => (long)d)];
            long[] labels = episode.SupportLabels.Select(l => (long)l).ToArray();
            int[] torchClasses;
            using (var scope = NewDisposeScope())
            {
                torchClasses = learner.Predict(tensor(episode.Support.ToArray(), [episode.SupportCount, .. sample]), tensor(labels), tensor(episode.Query.ToArray(), [episode.QueryCount, .. sample]))
                    .argmax(1).data<long>().ToArray().Select(c => (int)c).ToArray();
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            IReadOnlyDictionary<string, OnnxTensor> outputs = onnx.Run(new Dictionary<string, OnnxTensor>
            {
                ["support_x"] = OnnxTensor.Create(ModelInput(image, test.Scaling, episode.Support.Span).ToArray(), [episode.SupportCount, .. sample]),
                ["support_y"] = OnnxTensor.Create(labels, episode.SupportCount),
                ["query_x"] = OnnxTensor.Create(ModelInput(image, test.Scaling, episode.Query.Span).ToArray(), [episode.QueryCount, .. sample]),
            });
            times.Add(clock.Elapsed.TotalMilliseconds);
            float[] logits = outputs["query_logits"].GetData<float>();
            int ways = logits.Length / episode.QueryCount;
            for (int i = 0; i < episode.QueryCount; i++)
            {
                ReadOnlySpan<float> row = logits.AsSpan(i * ways, ways);
                int onnxClass = row.IndexOf(MaxOf(row));
                same += onnxClass == torchClasses[i] ? 1 : 0;
                onnxCorrect += onnxClass == episode.QueryLabels[i] ? 1 : 0;
                torchCorrect += torchClasses[i] == episode.QueryLabels[i] ? 1 : 0;
                total++;
            }
        }

        times.Sort();
        double median = times.Count == 0 ? double.NaN : times[times.Count / 2];
        var result = ((double)same / total, (double)torchCorrect / total, (double)onnxCorrect / total, median, path);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime, adaptation inside the graph ({path}): agrees with the TorchSharp adaptation on {result.Item1:P2} of {total:N0} queries " +
            $"({times.Count:N0} episodes); accuracy {result.Item3:P2} vs {result.Item2:P2}; median {median:F2} ms per episode"));
        return result;
    }

    /// <summary>
    /// What the exported model takes for samples the data set scaled when it loaded them: an image model's graph scales
    /// the pixels itself, so it gets the raw values behind them.
    /// </summary>
    private static ReadOnlySpan<float> ModelInput(ImageInputContract? image, InputScaling scaling, ReadOnlySpan<float> samples) =>
        image is { NormalizedInGraph: true } ? scaling.ToRaw(samples) : samples;

    private static float MaxOf(ReadOnlySpan<float> values)
    {
        float best = values[0];
        foreach (float value in values)
        {
            best = Math.Max(best, value);
        }

        return best;
    }
}
