namespace SharpShot.Training;

/// <summary>
/// Hyperparameters of <see cref="SequentialModel.Fit"/>. A model's generated <c>TrainingDefaults</c> come
/// from its <see cref="TrainAttribute"/>; change one value with <c>model.TrainingDefaults with { Epochs = 3 }</c>.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = Defaults.Training.Epochs;

    /// <summary>Samples per optimizer step; the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = Defaults.Training.BatchSize;

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = Defaults.Training.Optimizer;

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = Defaults.Training.LearningRate;

    /// <summary>Momentum (SGD only).</summary>
    public double Momentum { get; init; } = Defaults.Training.Momentum;

    /// <summary>Seed for shuffling and dropout.</summary>
    public int Seed { get; init; } = Defaults.Training.Seed;

    /// <summary>What a step with a NaN or infinite loss or gradient does: stop training (the default) or be skipped. Either way it is caught before the optimizer step.</summary>
    public NonFiniteSteps NonFiniteSteps { get; init; } = Defaults.Training.NonFiniteSteps;

    /// <summary>
    /// When set, the weights, optimizer state and progress are written to this file (atomically) after
    /// every epoch, and a later <c>Fit</c> with the same settings that finds the file continues after its
    /// last completed epoch — ending with the same weights as an unbroken run. Delete the file to start over.
    /// </summary>
    /// <remarks>
    /// The file (checkpoint format 2) carries a SHA-256 checksum and is checked whole before anything is loaded: a damaged
    /// one is refused with <see cref="CheckpointCorruptException"/>, one of another run with <see cref="CheckpointMismatchException"/>,
    /// and the model and optimizer are then left as they were. The checkpoint each write replaces is kept as
    /// <c>&lt;path&gt;.previous</c>. With validation data, the checkpoint of the epoch with the best validation accuracy (ties: the
    /// lower validation loss) is also written as <c>&lt;name&gt;.best&lt;extension&gt;</c> beside it (<c>run.ckpt</c> → <c>run.best.ckpt</c>);
    /// load its weights with <see cref="SequentialModel.LoadCheckpointWeights"/>. A checkpoint also records LibTorch's thread count,
    /// the oneDNN switch and the convolution guard's verdicts, and resuming restores them (or refuses where it cannot). A
    /// checkpoint with more epochs done than <see cref="Epochs"/> is refused rather than returning its later weights.
    /// </remarks>
    public string? CheckpointPath { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public void Validate()
    {
        if (Epochs <= 0)
        {
            throw new ArgumentException($"Epochs must be positive; got {Epochs}.");
        }

        if (BatchSize <= 0)
        {
            throw new ArgumentException($"BatchSize must be positive; got {BatchSize}.");
        }

        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentException($"LearningRate must be a positive finite number; got {LearningRate}.");
        }

        if (!(Momentum >= 0) || double.IsInfinity(Momentum))
        {
            throw new ArgumentException($"Momentum must be zero or positive; got {Momentum}.");
        }

        if (CheckpointPath is not null && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentException("CheckpointPath must name a file, or be null for no checkpoints.");
        }

        if (!Enum.IsDefined(NonFiniteSteps))
        {
            throw new ArgumentException($"Unknown NonFiniteSteps {NonFiniteSteps}.");
        }

        if (!Enum.IsDefined(Optimizer))
        {
            throw new ArgumentException($"Unknown optimizer {Optimizer}.");
        }
    }
}
