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

    /// <summary>
    /// When set, the weights, optimizer state and progress are written to this file (atomically) after
    /// every epoch, and a later <c>Fit</c> with the same settings that finds the file continues after its
    /// last completed epoch — ending with the same weights as an unbroken run. Delete the file to start over.
    /// </summary>
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

        if (!Enum.IsDefined(Optimizer))
        {
            throw new ArgumentException($"Unknown optimizer {Optimizer}.");
        }
    }
}
