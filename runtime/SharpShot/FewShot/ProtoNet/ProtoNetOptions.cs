namespace SharpShot.FewShot;

/// <summary>
/// Settings of <see cref="ProtoNet.MetaTrain"/>. The defaults follow Snell et al. (2017) where it is
/// explicit (Adam at 10⁻³, halved every 2,000 episodes); change one with <c>options with { Ways = 20 }</c>.
/// </summary>
public sealed record ProtoNetOptions
{
    /// <summary>Classes per training episode, N (the paper trains Omniglot with 60).</summary>
    public int Ways { get; init; } = 5;

    /// <summary>Support samples per class, K.</summary>
    public int Shots { get; init; } = 1;

    /// <summary>Query samples per class, Q.</summary>
    public int Queries { get; init; } = 15;

    /// <summary>Training episodes; one Adam step each. Raising it and running again with the same checkpoint trains on.</summary>
    public int Episodes { get; init; } = 10_000;

    /// <summary>Adam's learning rate at the start.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The learning rate halves after every this many episodes; 0 keeps it constant.</summary>
    public int LearningRateHalvingEvery { get; init; } = 2_000;

    /// <summary>Seed of the training episodes and of any randomness in the model (dropout).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Applied to every training episode (e.g. <see cref="RotateClasses"/>); none when null.</summary>
    public EpisodeTransform? Transform { get; init; }

    /// <summary>Classes (disjoint from training's) to validate on; no validation when null.</summary>
    public FewShotDataset? ValidationData { get; init; }

    /// <summary>Validate after every this many episodes, and after the last one.</summary>
    public int ValidationEvery { get; init; } = 1_000;

    /// <summary>Episodes per validation; the same episodes every time, so validations are comparable.</summary>
    public int ValidationEpisodes { get; init; } = 100;

    /// <summary>Classes per validation episode; <see cref="Ways"/> when null.</summary>
    public int? ValidationWays { get; init; }

    /// <summary>Support samples per class in validation episodes; <see cref="Shots"/> when null.</summary>
    public int? ValidationShots { get; init; }

    /// <summary>Query samples per class in validation episodes; <see cref="Queries"/> when null.</summary>
    public int? ValidationQueries { get; init; }

    /// <summary>
    /// When set, the weights, optimizer state and progress are written to this file (atomically) every
    /// <see cref="CheckpointEvery"/> episodes, at the end, and when training is cancelled; a later run with the
    /// same settings that finds the file continues at the next episode and ends with the same weights as an
    /// unbroken run. Delete the file to start over.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Episodes between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Episodes between progress reports (besides those after validations and at the end).</summary>
    public int ProgressEvery { get; init; } = 50;

    /// <summary>Episodes drawn ahead on a background task.</summary>
    public int PrefetchDepth { get; init; } = 4;

    /// <summary>Validation episodes' classes per episode, resolved.</summary>
    internal int EffectiveValidationWays => ValidationWays ?? Ways;

    /// <summary>Validation episodes' shots, resolved.</summary>
    internal int EffectiveValidationShots => ValidationShots ?? Shots;

    /// <summary>Validation episodes' queries, resolved.</summary>
    internal int EffectiveValidationQueries => ValidationQueries ?? Queries;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        Require(Ways >= 2, $"Ways must be at least 2; got {Ways}.");
        Require(Shots >= 1, $"Shots must be at least 1; got {Shots}.");
        Require(Queries >= 1, $"Queries must be at least 1; got {Queries}.");
        Require(Episodes >= 1, $"Episodes must be positive; got {Episodes}.");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"LearningRate must be a positive finite number; got {LearningRate}.");
        Require(LearningRateHalvingEvery >= 0, $"LearningRateHalvingEvery must be 0 (never) or positive; got {LearningRateHalvingEvery}.");
        Require(ValidationEvery >= 1, $"ValidationEvery must be positive; got {ValidationEvery}.");
        Require(ValidationEpisodes >= 1, $"ValidationEpisodes must be positive; got {ValidationEpisodes}.");
        Require(EffectiveValidationWays >= 2, $"ValidationWays must be at least 2; got {ValidationWays}.");
        Require(EffectiveValidationShots >= 1, $"ValidationShots must be at least 1; got {ValidationShots}.");
        Require(EffectiveValidationQueries >= 1, $"ValidationQueries must be at least 1; got {ValidationQueries}.");
        Require(CheckpointPath is null || !string.IsNullOrWhiteSpace(CheckpointPath), "CheckpointPath must name a file, or be null for no checkpoints.");
        Require(CheckpointEvery >= 1, $"CheckpointEvery must be positive; got {CheckpointEvery}.");
        Require(ProgressEvery >= 1, $"ProgressEvery must be positive; got {ProgressEvery}.");
        Require(PrefetchDepth >= 1, $"PrefetchDepth must be positive; got {PrefetchDepth}.");
    }

    /// <summary>The learning rate for 1-based episode <paramref name="episode"/>.</summary>
    internal double LearningRateAt(int episode) =>
        LearningRateHalvingEvery == 0 ? LearningRate : LearningRate * Math.Pow(0.5, (episode - 1) / LearningRateHalvingEvery);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
