namespace SharpShot.Training;

/// <summary>Metrics of one finished epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches.</param>
/// <param name="TrainAccuracy">Fraction of training samples classified correctly during the epoch.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set after the epoch, if one was given.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set after the epoch, if one was given.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, TimeSpan Duration)
{
    /// <summary>Steps of this epoch skipped for a NaN or infinite loss or gradient (<see cref="TrainingOptions.NonFiniteSteps"/>); their batches are not in the training metrics.</summary>
    public int SkippedSteps { get; init; }
}

/// <summary>Reported during <see cref="SequentialModel.Fit"/>: after every few batches, and once at the end of each epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="BatchesPerEpoch">Batches in one epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Training accuracy so far in this epoch.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Remaining">Estimated time to the end of training, from the pace so far.</param>
/// <param name="CompletedEpoch">Set on the report that closes an epoch (with validation metrics), otherwise null.</param>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    int Batch,
    int BatchesPerEpoch,
    double Loss,
    double Accuracy,
    TimeSpan Elapsed,
    TimeSpan Remaining,
    EpochResult? CompletedEpoch)
{
    /// <summary>Fraction of all training done, in [0, 1].</summary>
    public double Fraction => ((Epoch - 1) * (double)BatchesPerEpoch + Batch) / ((double)Epochs * BatchesPerEpoch);
}

/// <summary>What <see cref="SequentialModel.Fit"/> returns: one entry per epoch.</summary>
/// <param name="Epochs">Per-epoch metrics, in order.</param>
/// <param name="Duration">Total wall time.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochResult> Epochs, TimeSpan Duration)
{
    /// <summary>Steps skipped for a NaN or infinite loss or gradient over all epochs (<see cref="TrainingOptions.NonFiniteSteps"/>).</summary>
    public int SkippedSteps => Epochs.Sum(e => e.SkippedSteps);
}

/// <summary>Loss and accuracy of a model on a dataset.</summary>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Count">Number of samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int Count);

/// <summary>
/// Thrown when a training step's loss or a gradient holds a NaN or an infinity (with <see cref="NonFiniteSteps.Stop"/>, the
/// default): the check comes before the optimizer step, so the weights and the optimizer's state are those after the
/// previous step, and training stops instead of going on with garbage.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the batch where the loss diverged.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss)
        : this(epoch, batch, loss, parameter: null, $"epoch {epoch}, batch {batch}")
    {
    }

    /// <summary>Creates the exception for a step whose loss, or the gradient of <paramref name="parameter"/> when given, is not finite.</summary>
    /// <param name="epoch">1-based epoch (1 in meta-training).</param>
    /// <param name="batch">1-based batch within the epoch (the step in meta-training).</param>
    /// <param name="loss">The step's loss.</param>
    /// <param name="parameter">The first parameter whose gradient holds a NaN or an infinity; null when the loss itself is not finite.</param>
    /// <param name="step">Where it happened, in words (e.g. <c>epoch 2, batch 7</c>).</param>
    public TrainingDivergedException(int epoch, int batch, double loss, string? parameter, string step)
        : base(parameter is null
            ? $"Training diverged at {step}: the loss is {loss}. No update was made on it: the weights are those after the step before. " +
              "Lower the learning rate, check the inputs for NaN or huge values, or skip such steps (NonFiniteSteps = Skip)."
            : $"Training diverged at {step}: the gradient of parameter '{parameter}' holds NaN or infinite values (the loss is {loss}). No update was made on it: " +
              "the weights are those after the step before. Lower the learning rate, check the inputs for huge values, or skip such steps (NonFiniteSteps = Skip).")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        Parameter = parameter;
    }

    /// <summary>1-based epoch (1 in meta-training).</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch; the 1-based step in meta-training.</summary>
    public int Batch { get; }

    /// <summary>The step's loss (not finite when <see cref="Parameter"/> is null).</summary>
    public double Loss { get; }

    /// <summary>The parameter whose gradient was not finite, by its name in the model's state; null when the loss was not.</summary>
    public string? Parameter { get; }
}
