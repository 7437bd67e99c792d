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
    private const string Magic = "SHARPSHOT-META-1";

    /// <summary>Writes <paramref name="state"/>, the model and the optimizer to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, MetaCheckpointState state) =>
        CheckpointFile.Save(path, Magic, model, optimizer, state);

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of the same run
    /// (<paramref name="expected"/>, progress aside); returns its state, or null when there is no file.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file belongs to another run or is not a meta-training checkpoint.</exception>
    public static MetaCheckpointState? TryRestore(string path, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, MetaCheckpointState expected) =>
        CheckpointFile.TryRestore<MetaCheckpointState>(path, Magic, model, optimizer, state => state.DifferenceFrom(expected));
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
    IReadOnlyList<MetaValidationResult> Validations)
{
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
