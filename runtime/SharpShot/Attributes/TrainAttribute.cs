namespace SharpShot;

/// <summary>
/// Training defaults for a <see cref="ModelAttribute"/> class: the generated <c>TrainingDefaults</c>
/// that <c>Fit</c> uses when no options are passed. Loss: cross-entropy on the logits.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TrainAttribute : Attribute
{
    /// <summary>Passes over the training set. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Training.Epochs;

    /// <summary>Samples per optimizer step. Default 32 (as in Keras).</summary>
    public int BatchSize { get; set; } = Defaults.Training.BatchSize;

    /// <summary>Optimizer. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = Defaults.Training.Optimizer;

    /// <summary>Learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = Defaults.Training.LearningRate;

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/>. Default 0.</summary>
    public double Momentum { get; set; } = Defaults.Training.Momentum;

    /// <summary>Seed for weight initialization, shuffling and dropout: the same seed and data give the same weights on CPU. Default 42.</summary>
    public int Seed { get; set; } = Defaults.Training.Seed;

    /// <summary>What a step whose loss or gradients hold a NaN or an infinity does: stop training (the default) or be skipped. Checked before the optimizer step either way.</summary>
    public NonFiniteSteps NonFiniteSteps { get; set; } = Defaults.Training.NonFiniteSteps;
}
