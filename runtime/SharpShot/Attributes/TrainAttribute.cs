namespace SharpShot;

/// <summary>The optimizer a generated trainer uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba, 2015) with PyTorch's default betas (0.9, 0.999) and epsilon 1e-8.</summary>
    Adam,

    /// <summary>Stochastic gradient descent, with optional momentum (<see cref="TrainAttribute.Momentum"/>).</summary>
    Sgd,
}

/// <summary>
/// Training defaults for a <see cref="ModelAttribute"/> class: the generated <c>TrainingDefaults</c>
/// that <c>Fit</c> uses when no options are passed. Loss: cross-entropy on the logits.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TrainAttribute : Attribute
{
    /// <summary>Passes over the training set. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Samples per optimizer step. Default 32 (as in Keras).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Optimizer. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/>. Default 0.</summary>
    public double Momentum { get; set; }

    /// <summary>Seed for weight initialization, shuffling and dropout: the same seed and data give the same weights on CPU. Default 42.</summary>
    public int Seed { get; set; } = 42;
}
