namespace SharpShot.FewShot;

/// <summary>A validation during meta-training.</summary>
/// <param name="Step">The training step (1-based) after which it ran.</param>
/// <param name="Evaluation">The result on the validation classes or tasks.</param>
public sealed record MetaValidationResult(int Step, FewShotEvaluation Evaluation);

/// <summary>
/// Reported during meta-training: every few steps, after every validation and at the end. A step is one
/// update of the meta-parameters: one episode for Prototypical Networks, a meta-batch of episodes for the
/// MAML family.
/// </summary>
/// <param name="Step">Training steps done (1-based number of the last one).</param>
/// <param name="Steps">Training steps in all.</param>
/// <param name="Loss">Mean query loss over the steps since the previous report.</param>
/// <param name="Accuracy">Mean query accuracy over the steps since the previous report; NaN for regression tasks.</param>
/// <param name="LearningRate">The outer (meta) learning rate of the last step.</param>
/// <param name="EpisodesPerSecond">Training pace of this run so far, in episodes (tasks) per second, validation time excluded.</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="Remaining">Estimated time to the end, validations included, from the pace so far.</param>
/// <param name="LastValidation">The most recent validation, if any.</param>
/// <param name="Validated">True on the report right after a validation.</param>
public sealed record MetaTrainingProgress(
    int Step,
    int Steps,
    double Loss,
    double Accuracy,
    double LearningRate,
    double EpisodesPerSecond,
    TimeSpan Elapsed,
    TimeSpan Remaining,
    MetaValidationResult? LastValidation,
    bool Validated)
{
    /// <summary>Fraction of all training done, in [0, 1].</summary>
    public double Fraction => (double)Step / Steps;
}

/// <summary>What meta-training returns.</summary>
/// <param name="Steps">Training steps completed in all (a resumed run counts those before it too).</param>
/// <param name="ResumedAt">Steps a checkpoint had already completed when this run started; 0 for a fresh run.</param>
/// <param name="Loss">Mean query loss over this run's last (up to) 100 steps; NaN when this run trained none.</param>
/// <param name="Accuracy">Mean query accuracy over this run's last (up to) 100 steps; NaN when this run trained none or the tasks are regression.</param>
/// <param name="Validations">Every validation, resumed runs' earlier ones included.</param>
/// <param name="Duration">Wall time of this run.</param>
/// <param name="EpisodesPerSecond">Training pace of this run in episodes (tasks) per second, validation time excluded.</param>
public sealed record MetaTrainingHistory(
    int Steps,
    int ResumedAt,
    double Loss,
    double Accuracy,
    IReadOnlyList<MetaValidationResult> Validations,
    TimeSpan Duration,
    double EpisodesPerSecond)
{
    /// <summary>Steps skipped for a NaN or infinite loss or gradient (<see cref="MetaLearnerOptions.NonFiniteSteps"/>), resumed runs' earlier ones included; they are not in <see cref="Loss"/> and <see cref="Accuracy"/>.</summary>
    public int SkippedSteps { get; init; }
}
