using SharpShot.Onnx;
using SharpShot.Training;
using TorchSharp.Modules;

namespace SharpShot.FewShot;

/// <summary>
/// A meta-training checkpoint: the meta-parameters and buffers, the outer optimizer's state and how many
/// steps are done, in one file written atomically (<see cref="AtomicFile"/>). Episodes depend only on the
/// seed and their index, so a run that restores it and continues at the next step ends with the same
/// weights as an unbroken run. Laid out like the supervised <c>Checkpoint</c>, with its own magic.
/// </summary>
internal static class MetaCheckpoint
{
    /// <summary>The kind's magic (<see cref="CheckpointFile"/>).</summary>
    public const string Kind = "SHARPSHOT-META";

    /// <summary>Writes <paramref name="state"/>, the model and the optimizer to <paramref name="path"/>, keeping the file it replaces as <c>&lt;path&gt;.previous</c>.</summary>
    public static void Save(string path, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, MetaCheckpointState state) =>
        CheckpointFile.Save(path, Kind, model, optimizer, state, keepPrevious: true);

    /// <summary>Writes the best validation's checkpoint to <paramref name="path"/> (<see cref="CheckpointFile.BestPath"/>).</summary>
    public static void SaveBest(string path, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, MetaCheckpointState state) =>
        CheckpointFile.Save(path, Kind, model, optimizer, state, keepPrevious: false);

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of the same run
    /// (<paramref name="expected"/>, progress aside) with at most <paramref name="steps"/> steps done; returns its state, or
    /// null when there is no file. On any failure neither the model nor the optimizer is changed.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file belongs to another run, has more steps done than asked for, is not a meta-training checkpoint, or is corrupt (<see cref="CheckpointCorruptException"/>).</exception>
    public static MetaCheckpointState? TryRestore(string path, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, MetaCheckpointState expected, int steps) =>
        CheckpointFile.TryRestore<MetaCheckpointState>(path, Kind, model, optimizer, state => state.DifferenceFrom(expected)
            ?? CheckpointFile.BeyondRequested(state.StepsCompleted, steps, "step", "this run asks for", "Steps"));
}

/// <summary>What a meta-training checkpoint records besides tensors: the run's identity and its progress.</summary>
internal sealed record MetaCheckpointState(
    string Algorithm,
    string Model,
    long ParameterCount,
    int TrainClasses,
    long TrainSamples,
    int Ways,
    int Shots,
    int Queries,
    string Hyperparameters,
    double LearningRate,
    int LearningRateHalvingEvery,
    int Seed,
    string Transform,
    int StepsCompleted,
    IReadOnlyList<MetaValidationResult> Validations,
    int SkippedSteps) : ICheckpointRun
{
    /// <inheritdoc />
    public string? Problem() => StepsCompleted < 0 || SkippedSteps < 0 || SkippedSteps > StepsCompleted
        ? $"its run has {StepsCompleted} steps completed and {SkippedSteps} skipped"
        : null;

    /// <summary>The first property that differs from <paramref name="run"/> (progress aside), as a message; null when it is the same run.</summary>
    public string? DifferenceFrom(MetaCheckpointState run) => CheckpointFile.FirstDifference(
        ("algorithm", Algorithm, run.Algorithm),
        ("model", Model, run.Model),
        ("parameter count", ParameterCount, run.ParameterCount),
        ("training classes", TrainClasses, run.TrainClasses),
        ("training samples", TrainSamples, run.TrainSamples),
        ("ways", Ways, run.Ways),
        ("shots", Shots, run.Shots),
        ("queries", Queries, run.Queries),
        ("algorithm settings", Hyperparameters, run.Hyperparameters),
        ("learning rate", LearningRate, run.LearningRate),
        ("learning-rate halving", LearningRateHalvingEvery, run.LearningRateHalvingEvery),
        ("seed", Seed, run.Seed),
        ("transform", Transform, run.Transform));
}
