// Compiled into the runtime and, linked, into the source generator (SHARPSHOT_GENERATOR), as the other settings.
#if SHARPSHOT_GENERATOR
namespace SharpShot.Generators.Settings;
#else
namespace SharpShot;
#endif

/// <summary>
/// What training does with a step whose loss or gradients hold a NaN or an infinity. Either way the check comes before
/// the optimizer step, so the weights and the optimizer's state are never updated with such numbers.
/// </summary>
public enum NonFiniteSteps
{
    /// <summary>Stop training with a <c>TrainingDivergedException</c> naming the step (and the parameter whose gradient was not finite); the weights are those after the previous step. The default.</summary>
    Stop,

    /// <summary>Leave the weights and the optimizer's state as they are, count the step as skipped (reported in the results) and go on with the next.</summary>
    Skip,
}
