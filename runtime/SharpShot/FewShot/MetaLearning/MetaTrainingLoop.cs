using System.Diagnostics;
using SharpShot.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>How one meta-training run is scheduled: what every algorithm shares.</summary>
/// <param name="Steps">Meta-parameter updates in all.</param>
/// <param name="EpisodesPerStep">Episodes (tasks) each step trains on, for the reported pace.</param>
/// <param name="LearningRateAt">The outer learning rate of 1-based step <c>n</c>.</param>
/// <param name="Seed">Seed of the per-step model randomness (dropout).</param>
/// <param name="ValidationEvery">Steps between validations (and after the last one), when there is a validation.</param>
/// <param name="CheckpointPath">Where checkpoints go; none when null.</param>
/// <param name="CheckpointEvery">Steps between checkpoints.</param>
/// <param name="ProgressEvery">Steps between progress reports.</param>
internal sealed record MetaSchedule(
    int Steps,
    int EpisodesPerStep,
    Func<int, double> LearningRateAt,
    int Seed,
    int ValidationEvery,
    string? CheckpointPath,
    int CheckpointEvery,
    int ProgressEvery);

/// <summary>
/// The loop every meta-learner runs: restores a checkpoint, then for each step sets the learning rate, seeds the
/// model's randomness, trains one step, validates, checkpoints (atomically) and reports progress with the pace
/// and an ETA; on cancellation it saves what was done. The algorithm supplies only its step and its validation.
/// </summary>
internal static class MetaTrainingLoop
{
    private const int RecentSteps = 100;

    /// <summary>Runs the schedule; <paramref name="trainStep"/> gets the 1-based step number and returns its query loss and accuracy.</summary>
    /// <param name="schedule">Steps, learning rates, intervals.</param>
    /// <param name="state">What a checkpoint saves: the module with every meta-parameter (and buffers).</param>
    /// <param name="optimizer">The outer optimizer; its state is checkpointed and its learning rate set every step.</param>
    /// <param name="identity">The run's identity, written to checkpoints and compared when resuming.</param>
    /// <param name="trainStep">Trains one step inside its own dispose scope; returns null for a step it skipped (a non-finite loss or gradient with <see cref="NonFiniteSteps.Skip"/>), throws <see cref="TrainingDivergedException"/> for one with <see cref="NonFiniteSteps.Stop"/>.</param>
    /// <param name="validate">Evaluates on validation data (and leaves the model in training mode); no validation when null.</param>
    /// <param name="progress">Called every <see cref="MetaSchedule.ProgressEvery"/> steps, after each validation and at the end.</param>
    /// <param name="cancellationToken">Stops between two steps, after writing a checkpoint when one is configured.</param>
    public static MetaTrainingHistory Run(
        MetaSchedule schedule,
        nn.Module state,
        OptimizerHelper optimizer,
        MetaCheckpointState identity,
        Func<int, (double Loss, double Accuracy)?> trainStep,
        Func<FewShotEvaluation>? validate,
        Action<MetaTrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        MetaCheckpointState? resumed = schedule.CheckpointPath is null ? null : MetaCheckpoint.TryRestore(schedule.CheckpointPath, state, optimizer, identity, schedule.Steps);
        int resumedAt = resumed?.StepsCompleted ?? 0;
        int skipped = resumed?.SkippedSteps ?? 0;
        var validations = new List<MetaValidationResult>(resumed?.Validations ?? []);
        int done = resumedAt;
        int saved = resumedAt;

        var clock = Stopwatch.StartNew();
        long trainingTicks = 0;
        double validationSeconds = 0;
        int validationsRun = 0;
        var recent = new Queue<(double Loss, double Accuracy)>(RecentSteps);
        double windowLoss = 0, windowAccuracy = 0;
        int windowCount = 0;

        void SaveCheckpoint()
        {
            MetaCheckpoint.Save(schedule.CheckpointPath!, state, optimizer, Progress());
            saved = done;
        }

        MetaCheckpointState Progress() => identity with { StepsCompleted = done, Validations = validations.ToArray(), SkippedSteps = skipped };

        try
        {
            for (int step = done + 1; step <= schedule.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double learningRate = schedule.LearningRateAt(step);
                foreach (ParamGroup group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate;
                }

                // Dropout draws from the global generator: seed it per step so a resumed run repeats it.
                TorchSharp.torch.manual_seed(unchecked((schedule.Seed * 1_000_003L) + step));
                long started = Stopwatch.GetTimestamp();
                (double Loss, double Accuracy)? trained = trainStep(step);
                trainingTicks += Stopwatch.GetTimestamp() - started;
                done = step;

                if (trained is not (double loss, double accuracy))
                {
                    skipped++;
                }
                else
                {
                    if (recent.Count == RecentSteps)
                    {
                        recent.Dequeue();
                    }

                    recent.Enqueue((loss, accuracy));
                    windowLoss += loss;
                    windowAccuracy += accuracy;
                    windowCount++;
                }

                bool validated = false;
                if (validate is not null && (step % schedule.ValidationEvery == 0 || step == schedule.Steps))
                {
                    long validationStarted = Stopwatch.GetTimestamp();
                    var validation = new MetaValidationResult(step, validate());
                    bool best = validations.All(earlier => BestValidation.Beats(validation.Evaluation.Accuracy, validation.Evaluation.Loss, earlier.Evaluation.Accuracy, earlier.Evaluation.Loss));
                    validations.Add(validation);
                    validationSeconds += Stopwatch.GetElapsedTime(validationStarted).TotalSeconds;
                    validationsRun++;
                    validated = true;
                    if (best && schedule.CheckpointPath is not null)
                    {
                        MetaCheckpoint.SaveBest(CheckpointFile.BestPath(schedule.CheckpointPath), state, optimizer, Progress());
                    }
                }

                if (schedule.CheckpointPath is not null && (step % schedule.CheckpointEvery == 0 || step == schedule.Steps))
                {
                    SaveCheckpoint();
                }

                if (progress is not null && (step % schedule.ProgressEvery == 0 || validated || step == schedule.Steps))
                {
                    double trainedSeconds = Stopwatch.GetElapsedTime(0, trainingTicks).TotalSeconds;
                    double stepsPerSecond = trainedSeconds > 0 ? (step - resumedAt) / trainedSeconds : 0;
                    int validationsLeft = validate is null ? 0 : ValidationsAfter(step, schedule);
                    double secondsLeft = (stepsPerSecond > 0 ? (schedule.Steps - step) / stepsPerSecond : 0)
                        + (validationsRun > 0 ? validationsLeft * validationSeconds / validationsRun : 0);
                    progress(new MetaTrainingProgress(step, schedule.Steps, windowLoss / windowCount, windowAccuracy / windowCount, learningRate,
                        stepsPerSecond * schedule.EpisodesPerStep, clock.Elapsed, TimeSpan.FromSeconds(secondsLeft),
                        validations.Count > 0 ? validations[^1] : null, validated));
                    windowLoss = windowAccuracy = 0;
                    windowCount = 0;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Keep what was done: a later run resumes at the next step.
            if (schedule.CheckpointPath is not null && done > saved)
            {
                SaveCheckpoint();
            }

            throw;
        }

        double runSeconds = Stopwatch.GetElapsedTime(0, trainingTicks).TotalSeconds;
        return new MetaTrainingHistory(
            done,
            resumedAt,
            recent.Count > 0 ? recent.Average(r => r.Loss) : double.NaN,
            recent.Count > 0 ? recent.Average(r => r.Accuracy) : double.NaN,
            validations.ToArray(),
            clock.Elapsed,
            runSeconds > 0 ? (done - resumedAt) * schedule.EpisodesPerStep / runSeconds : 0)
        {
            SkippedSteps = skipped,
        };
    }

    /// <summary>The learning rate of 1-based step <paramref name="step"/> when it halves every <paramref name="halvingEvery"/> steps (0: never).</summary>
    public static double Halving(double learningRate, int halvingEvery, int step) =>
        halvingEvery == 0 ? learningRate : learningRate * Math.Pow(0.5, (step - 1) / halvingEvery);

    /// <summary>Validation episodes get their own sequence, so validating on the training classes would not replay training episodes.</summary>
    public static int ValidationSeed(int seed) => unchecked((seed * 31) + 0x5EED);

    /// <summary>How many validations come after step <paramref name="step"/>: every multiple of the interval, and the last step.</summary>
    private static int ValidationsAfter(int step, MetaSchedule schedule)
    {
        int multiples = (schedule.Steps / schedule.ValidationEvery) - (step / schedule.ValidationEvery);
        return multiples + (schedule.Steps % schedule.ValidationEvery != 0 && step < schedule.Steps ? 1 : 0);
    }
}
