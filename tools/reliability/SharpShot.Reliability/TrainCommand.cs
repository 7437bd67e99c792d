using SharpShot.FewShot;
using SharpShot.Training;

namespace SharpShot.Reliability;

/// <summary>How long a kill-and-resume run trains: <c>full</c> for the script, <c>tiny</c> for the test.</summary>
internal sealed record RunSize(int SupervisedSamples, int SupervisedEpochs, int MetaSteps, int CheckpointEvery)
{
    /// <summary>Batch size of supervised training.</summary>
    public const int BatchSize = 32;

    /// <summary>Parses <c>full</c> or <c>tiny</c>.</summary>
    /// <exception cref="UsageException">Neither.</exception>
    public static RunSize Parse(string name) => name switch
    {
        "full" => new RunSize(SupervisedSamples: 512, SupervisedEpochs: 40, MetaSteps: 160, CheckpointEvery: 8),
        "tiny" => new RunSize(SupervisedSamples: 128, SupervisedEpochs: 6, MetaSteps: 12, CheckpointEvery: 2),
        _ => throw new UsageException($"--size must be full or tiny; got '{name}'."),
    };

    /// <summary>Optimizer steps of <paramref name="workload"/>: batches for supervised training, meta-updates otherwise.</summary>
    public int Steps(Workload workload) => workload.Algorithm is null
        ? SupervisedEpochs * ((SupervisedSamples + BatchSize - 1) / BatchSize)
        : MetaSteps;
}

/// <summary>
/// <c>train</c>: one training run, seeded, with or without a checkpoint. It prints <c>total N</c>, then <c>progress S</c>
/// after every optimizer step (S counts from the run's start, also after a resume), then <c>sha256 HEX</c> of the final
/// weights. With a checkpoint that exists, it resumes from it; killed at any moment, the same command continues.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(Options options)
    {
        var workload = Workload.Parse(options.Text("workload", "supervised"));
        var size = RunSize.Parse(options.Text("size", "full"));
        var checkpoint = options.TextOrNull("checkpoint");
        options.EnsureAllRead();

        var output = Console.Out;
        output.WriteLine($"total {size.Steps(workload)}");
        output.Flush();
        string hash;
        if (workload.Algorithm is not { } algorithm)
        {
            var model = new SmallCnn(seed: 7);
            var data = Fixtures.SupervisedData(size.SupervisedSamples);
            var training = model.TrainingDefaults with
            {
                Epochs = size.SupervisedEpochs,
                BatchSize = RunSize.BatchSize,
                Seed = 11,
                CheckpointPath = checkpoint,
            };
            model.Fit(data, options: training, progress: p =>
            {
                output.WriteLine($"progress {((p.Epoch - 1) * p.BatchesPerEpoch) + p.Batch}");
                output.Flush();
            });
            hash = Weights.Sha256(model);
        }
        else
        {
            var metaOptions = Fixtures.MetaOptions(algorithm, size.MetaSteps) with
            {
                CheckpointPath = checkpoint,
                CheckpointEvery = size.CheckpointEvery,
            };
            using var learner = Fixtures.Learner(algorithm, metaOptions);
            learner.MetaTrain(Fixtures.Glyphs(), p =>
            {
                output.WriteLine($"progress {p.Step}");
                output.Flush();
            });
            hash = Weights.Sha256(learner.Model, learner.InnerLearningRates);
        }
        // Which convolution configurations run on oneDNN (true) or in float64 (false): a run's arithmetic depends on them.
        output.WriteLine("guard " + GuardVerdicts());
        output.WriteLine($"sha256 {hash}");
        output.Flush();
        return 0;
    }

    /// <summary>The convolution guard's verdicts, in configuration order: which configurations run on oneDNN (1) or in float64 (0).</summary>
    private static string GuardVerdicts() =>
        string.Join(" ", SharpShot.Native.TorchRuntime.ConvolutionVerdicts.Select(v => v.Value ? "1" : "0"));
}
