using System.Globalization;

namespace SharpShot.FewShot;

/// <summary>
/// Settings of meta-training (<see cref="MetaLearner"/>). The defaults follow the papers where they are explicit:
/// Prototypical Networks take one episode per Adam step at 10⁻³, halved every 2,000 steps (Snell et al., 2017); the
/// MAML family takes meta-batches of 32 tasks, one inner step at 0.4 and Adam at 10⁻³ (Finn et al., 2017, Omniglot).
/// Change one with <c>options with { Ways = 20 }</c>.
/// </summary>
public sealed record MetaLearnerOptions
{
    /// <summary>The algorithm <see cref="MetaLearner"/> runs.</summary>
    public MetaAlgorithm Algorithm { get; init; } = Defaults.MetaLearning.Algorithm;

    /// <summary>Classification (episodes of N classes) or regression tasks.</summary>
    public MetaTaskKind Task { get; init; } = Defaults.MetaLearning.Task;

    /// <summary>Classes per training episode, N (classification).</summary>
    public int Ways { get; init; } = Defaults.MetaLearning.Ways;

    /// <summary>Support samples per class, K (per task for regression).</summary>
    public int Shots { get; init; } = Defaults.MetaLearning.Shots;

    /// <summary>Query samples per class, Q (per task for regression).</summary>
    public int Queries { get; init; } = Defaults.MetaLearning.Queries;

    /// <summary>Meta-updates (outer optimizer steps). Raising it and running again with the same checkpoint trains on.</summary>
    public int Steps { get; init; } = Defaults.MetaLearning.Steps;

    /// <summary>Episodes (tasks) per meta-update; null: 1 for Prototypical Networks, 32 for the MAML family.</summary>
    public int? MetaBatch { get; init; }

    /// <summary>Gradient steps of the inner loop in meta-training (MAML family).</summary>
    public int InnerSteps { get; init; } = Defaults.MetaLearning.InnerSteps;

    /// <summary>
    /// MAML, first-order MAML, ANIL and Meta-SGD: meta-train on the mean of the query losses after each inner step,
    /// not only after the last (the multi-step loss of Antoniou et al., 2019, "How to train your MAML"). The
    /// initialization is then good after any number of steps up to <see cref="InnerSteps"/> and tends to stay stable
    /// beyond; trained on the last step alone, MAML may find one where further fine-tuning steps overshoot. The
    /// reported training loss is that mean. Not for Prototypical Networks or Reptile.
    /// </summary>
    public bool MultiStepLoss { get; init; }

    /// <summary>
    /// With <see cref="MultiStepLoss"/>: the weight of the query loss after each inner step, one per
    /// <see cref="InnerSteps"/>, non-negative and not all zero (they are divided by their sum); null weighs the steps
    /// equally. Antoniou et al. anneal such weights towards the last step; a larger first weight keeps the
    /// initialization good after one step while the later steps keep it stable over many.
    /// </summary>
    public IReadOnlyList<double>? MultiStepLossWeights
    {
        get => _multiStepLossWeights;
        init => _multiStepLossWeights = value is null ? null : new Weights(value);
    }

    // A copy with value equality, so that options holding the same weights compare equal, as records do otherwise.
    private readonly Weights? _multiStepLossWeights;

    /// <summary>Gradient steps when adapting to a test task (MAML family); null: <see cref="InnerSteps"/>.</summary>
    public int? EvaluationInnerSteps { get; init; }

    /// <summary>
    /// Which statistics batch normalization uses for a task's queries after adaptation (MAML family): the support set's
    /// (the default: each query's answer is its own) or the queries' batch (transductive). See <see cref="SharpShot.QueryNormalization"/>.
    /// </summary>
    public QueryNormalization QueryNormalization { get; init; } = Defaults.MetaLearning.QueryNormalization;

    /// <summary>
    /// Zero-shot learning (a learner made with an attribute map): the weight of the zero-shot loss — every sample of an
    /// episode classified against the prototypes its classes' descriptions map to — added to the few-shot loss.
    /// </summary>
    public double ZeroShotLossWeight { get; init; } = Defaults.MetaLearning.ZeroShotLossWeight;

    /// <summary>Learning rate of the inner loop (MAML family; Meta-SGD's starting per-weight rate).</summary>
    public double InnerLearningRate { get; init; } = Defaults.MetaLearning.InnerLearningRate;

    /// <summary>Adam's (outer) learning rate at the start.</summary>
    public double LearningRate { get; init; } = Defaults.MetaLearning.LearningRate;

    /// <summary>The outer learning rate halves after every this many steps; 0 keeps it constant; null: 2,000 for Prototypical Networks, 0 otherwise.</summary>
    public int? LearningRateHalvingEvery { get; init; }

    /// <summary>Seed of the training episodes and of any randomness in the model (dropout).</summary>
    public int Seed { get; init; } = Defaults.MetaLearning.Seed;

    /// <summary>Applied to every training episode (e.g. <see cref="RotateClasses"/>); none when null.</summary>
    public EpisodeTransform? Transform { get; init; }

    /// <summary>Classes (disjoint from training's) to validate on; no validation when null. Regression tasks validate on fresh tasks of the training family instead.</summary>
    public FewShotDataset? ValidationData { get; init; }

    /// <summary>Validate after every this many steps, and after the last one.</summary>
    public int ValidationEvery { get; init; } = Defaults.MetaLearning.ValidationEvery;

    /// <summary>Episodes per validation; the same episodes every time, so validations are comparable.</summary>
    public int ValidationEpisodes { get; init; } = Defaults.MetaLearning.ValidationEpisodes;

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
    /// <remarks>
    /// The file is checked whole (SHA-256 checksum, format, the run's identity, every tensor) before anything is loaded:
    /// a damaged one is refused with <see cref="Training.CheckpointCorruptException"/>, one of another run with
    /// <see cref="Training.CheckpointMismatchException"/>, and the learner is then left as it was. The checkpoint each write
    /// replaces is kept as <c>&lt;path&gt;.previous</c>. When the run validates, the checkpoint of the best validation (the
    /// highest accuracy, ties broken by the lower loss; the lowest loss for regression) is also written as
    /// <c>&lt;name&gt;.best&lt;extension&gt;</c> beside it (<c>run.ckpt</c> → <c>run.best.ckpt</c>), right after that validation; load
    /// its weights with <see cref="MetaLearner.LoadCheckpointWeights"/>. LibTorch's thread count, the oneDNN switch and the
    /// convolution guard's verdicts are recorded and restored on resume (or the resume is refused where they cannot be).
    /// A checkpoint with more steps done than <see cref="Steps"/> is refused.
    /// </remarks>
    public string? CheckpointPath { get; init; }

    /// <summary>What a step with a NaN or infinite loss or gradient does: stop meta-training (the default) or be skipped. Either way it is caught before the optimizer step.</summary>
    public NonFiniteSteps NonFiniteSteps { get; init; } = Defaults.MetaLearning.NonFiniteSteps;

    /// <summary>Steps between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = Defaults.MetaLearning.CheckpointEvery;

    /// <summary>Steps between progress reports (besides those after validations and at the end).</summary>
    public int ProgressEvery { get; init; } = Defaults.MetaLearning.ProgressEvery;

    /// <summary>Episodes drawn ahead on a background task.</summary>
    public int PrefetchDepth { get; init; } = Defaults.MetaLearning.PrefetchDepth;

    /// <summary>Episodes per meta-update, resolved.</summary>
    public int EffectiveMetaBatch => MetaBatch ?? Traits.DefaultMetaBatch;

    /// <summary>Inner steps at test time, resolved.</summary>
    public int EffectiveEvaluationInnerSteps => EvaluationInnerSteps ?? InnerSteps;

    /// <summary>Learning-rate halving interval, resolved.</summary>
    public int EffectiveLearningRateHalvingEvery => LearningRateHalvingEvery ?? Traits.DefaultLearningRateHalvingEvery;

    /// <summary>Validation episodes' classes per episode, resolved.</summary>
    internal int EffectiveValidationWays => ValidationWays ?? Ways;

    /// <summary>Validation episodes' shots, resolved.</summary>
    internal int EffectiveValidationShots => ValidationShots ?? Shots;

    /// <summary>Validation episodes' queries, resolved.</summary>
    internal int EffectiveValidationQueries => ValidationQueries ?? Queries;

    /// <summary>What <see cref="Algorithm"/> can do and its defaults.</summary>
    internal MetaAlgorithmTraits Traits => MetaAlgorithmTraits.Of(Algorithm);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        Require(Enum.IsDefined(Algorithm), $"Algorithm must be a named MetaAlgorithm; got {Algorithm}.");
        Require(Enum.IsDefined(Task), $"Task must be a named MetaTaskKind; got {Task}.");
        Require(Enum.IsDefined(NonFiniteSteps), $"NonFiniteSteps must be Stop or Skip; got {NonFiniteSteps}.");
        Require(Task != MetaTaskKind.Regression || Traits.SupportsRegression,
            $"{Traits.Title} cannot meta-train on regression tasks; these can: {MetaAlgorithmTraits.Titles(t => t.SupportsRegression)}.");
        Require(Ways >= 2, $"Ways must be at least 2; got {Ways}.");
        Require(Shots >= 1, $"Shots must be at least 1; got {Shots}.");
        Require(Queries >= 1, $"Queries must be at least 1; got {Queries}.");
        Require(Steps >= 1, $"Steps must be positive; got {Steps}.");
        Require(EffectiveMetaBatch >= 1, $"MetaBatch must be positive; got {MetaBatch}.");
        Require(InnerSteps >= 1, $"InnerSteps must be positive; got {InnerSteps}.");
        Require(!MultiStepLoss || Traits.SupportsMultiStepLoss,
            $"MultiStepLoss applies to {MetaAlgorithmTraits.Titles(t => t.SupportsMultiStepLoss)}; the algorithm is {Algorithm}.");
        if (MultiStepLossWeights is { } weights)
        {
            Require(MultiStepLoss, "MultiStepLossWeights needs MultiStepLoss = true.");
            Require(weights.Count == InnerSteps, $"MultiStepLossWeights needs one weight per inner step ({InnerSteps}); got {weights.Count}.");
            Require(weights.All(w => w >= 0 && double.IsFinite(w)) && weights.Sum() > 0,
                $"MultiStepLossWeights must be non-negative finite numbers, not all zero; got {string.Join(", ", weights.Select(w => w.ToString(CultureInfo.InvariantCulture)))}.");
        }

        Require(EffectiveEvaluationInnerSteps >= 1, $"EvaluationInnerSteps must be positive; got {EvaluationInnerSteps}.");
        Require(InnerLearningRate > 0 && double.IsFinite(InnerLearningRate), $"InnerLearningRate must be a positive finite number; got {InnerLearningRate}.");
        Require(ZeroShotLossWeight > 0 && double.IsFinite(ZeroShotLossWeight), $"ZeroShotLossWeight must be a positive finite number; got {ZeroShotLossWeight}.");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"LearningRate must be a positive finite number; got {LearningRate}.");
        Require(EffectiveLearningRateHalvingEvery >= 0, $"LearningRateHalvingEvery must be 0 (never) or positive; got {LearningRateHalvingEvery}.");
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

    /// <summary>The outer learning rate of 1-based step <paramref name="step"/>.</summary>
    internal double LearningRateAt(int step) => MetaTrainingLoop.Halving(LearningRate, EffectiveLearningRateHalvingEvery, step);

    /// <summary>An immutable list of numbers that equals another with the same numbers.</summary>
    private sealed class Weights(IEnumerable<double> values) : IReadOnlyList<double>, IEquatable<Weights>
    {
        private readonly double[] _values = values.ToArray();

        public int Count => _values.Length;

        public double this[int index] => _values[index];

        public IEnumerator<double> GetEnumerator() => ((IEnumerable<double>)_values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public bool Equals(Weights? other) => other is not null && _values.SequenceEqual(other._values);

        public override bool Equals(object? obj) => Equals(obj as Weights);

        public override int GetHashCode() => _values.Aggregate(_values.Length, (hash, value) => HashCode.Combine(hash, value));

        public override string ToString() => $"[{string.Join(", ", _values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]";
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
