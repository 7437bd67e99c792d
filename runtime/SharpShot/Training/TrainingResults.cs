namespace SharpShot.Training;

/// <summary>Metrics of one finished epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches.</param>
/// <param name="TrainAccuracy">Fraction of training samples classified correctly during the epoch.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set after the epoch, if one was given.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set after the epoch, if one was given.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, TimeSpan Duration);

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
public sealed record TrainingHistory(IReadOnlyList<EpochResult> Epochs, TimeSpan Duration);

/// <summary>Loss and accuracy of a model on a dataset.</summary>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Count">Number of samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int Count);

/// <summary>Thrown when the training loss becomes NaN or infinite: the weights are no longer usable, so training stops instead of continuing on garbage.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the batch where the loss diverged.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss)
        : base($"Training diverged at epoch {epoch}, batch {batch}: the loss is {loss}. Lower the learning rate, or check the inputs for NaN or huge values.")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch.</summary>
    public int Batch { get; }

    /// <summary>The non-finite loss.</summary>
    public double Loss { get; }
}
