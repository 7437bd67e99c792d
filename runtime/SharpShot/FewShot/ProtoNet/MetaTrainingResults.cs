namespace SharpShot.FewShot;

/// <summary>A validation during meta-training.</summary>
/// <param name="Episode">The training episode (1-based) after which it ran.</param>
/// <param name="Evaluation">The result on the validation classes.</param>
public sealed record MetaValidationResult(int Episode, FewShotEvaluation Evaluation);

/// <summary>Reported during <see cref="ProtoNet.MetaTrain"/>: every few episodes, after every validation and at the end.</summary>
/// <param name="Episode">Training episodes done (1-based number of the last one).</param>
/// <param name="Episodes">Training episodes in all.</param>
/// <param name="Loss">Mean query loss over the episodes since the previous report.</param>
/// <param name="Accuracy">Mean query accuracy over the episodes since the previous report.</param>
/// <param name="LearningRate">The learning rate of the last episode.</param>
/// <param name="EpisodesPerSecond">Training pace of this run so far (validation time excluded).</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="Remaining">Estimated time to the end, validations included, from the pace so far.</param>
/// <param name="LastValidation">The most recent validation, if any.</param>
/// <param name="Validated">True on the report right after a validation.</param>
public sealed record MetaTrainingProgress(
    int Episode,
    int Episodes,
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
    public double Fraction => (double)Episode / Episodes;
}

/// <summary>What <see cref="ProtoNet.MetaTrain"/> returns.</summary>
/// <param name="Episodes">Training episodes completed in all (a resumed run counts those before it too).</param>
/// <param name="ResumedAt">Episodes a checkpoint had already completed when this run started; 0 for a fresh run.</param>
/// <param name="Loss">Mean query loss over this run's last (up to) 100 episodes; NaN when this run trained none.</param>
/// <param name="Accuracy">Mean query accuracy over this run's last (up to) 100 episodes; NaN when this run trained none.</param>
/// <param name="Validations">Every validation, resumed runs' earlier ones included.</param>
/// <param name="Duration">Wall time of this run.</param>
/// <param name="EpisodesPerSecond">Training pace of this run (validation time excluded).</param>
public sealed record MetaTrainingHistory(
    int Episodes,
    int ResumedAt,
    double Loss,
    double Accuracy,
    IReadOnlyList<MetaValidationResult> Validations,
    TimeSpan Duration,
    double EpisodesPerSecond);
