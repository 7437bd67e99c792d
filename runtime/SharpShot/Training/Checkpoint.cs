using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpShot.Onnx;
using TorchSharp.Modules;

namespace SharpShot.Training;

/// <summary>
/// A training checkpoint: the model's weights and buffers, the optimizer's state, and how far training
/// got, in one file written atomically after every epoch. Training that finds its checkpoint continues
/// after the last completed epoch and ends with the same weights as an unbroken run.
/// </summary>
internal static class Checkpoint
{
    private const string Magic = "SHARPSHOT-CKPT-1";

    /// <summary>Writes <paramref name="state"/>, the model and the optimizer to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState state) =>
        CheckpointFile.Save(path, Magic, model, optimizer, state);

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of the same
    /// training run (<paramref name="expected"/>, epochs aside); returns its state, or null when there is no file.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file belongs to another model or other hyperparameters, or is not a checkpoint.</exception>
    public static CheckpointState? TryRestore(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState expected) =>
        CheckpointFile.TryRestore<CheckpointState>(path, Magic, model, optimizer, state => state.DifferenceFrom(expected));
}

/// <summary>
/// The file layout every SharpShot checkpoint shares — a magic string naming its kind, a JSON header (the
/// run's identity and progress), the model's state dict, the optimizer's state — written atomically.
/// </summary>
internal static class CheckpointFile
{
    // The kinds of checkpoint, by magic, so a file of the wrong kind gets a message that says what it is.
    private static readonly Dictionary<string, string> s_kinds = new(StringComparer.Ordinal)
    {
        ["SHARPSHOT-CKPT-1"] = "supervised training checkpoint (from Fit)",
        ["SHARPSHOT-META-1"] = "meta-training checkpoint",
    };

    // Validation results may hold NaN (the confidence interval of a single episode).
    private static readonly JsonSerializerOptions s_json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes a checkpoint of kind <paramref name="magic"/> to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save<TState>(string path, string magic, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, TState state) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(magic));
            writer.Write(JsonSerializer.Serialize(state, s_json));
            model.save(writer);
            optimizer.save_state_dict(writer);
        });

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of kind
    /// <paramref name="magic"/> whose header <paramref name="differenceFrom"/> accepts (returns null for);
    /// returns the header, or null when there is no file.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file is of another kind or another run, truncated, or not a checkpoint.</exception>
    public static TState? TryRestore<TState>(string path, string magic, TorchSharp.torch.nn.Module model, OptimizerHelper optimizer, Func<TState, string?> differenceFrom)
        where TState : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        TState state;
        string kind = s_kinds[magic];
        try
        {
            string found = Encoding.ASCII.GetString(reader.ReadBytes(magic.Length));
            if (found != magic)
            {
                throw new CheckpointMismatchException(path, s_kinds.TryGetValue(found, out string? other)
                    ? $"it is a {other}, not a {kind}"
                    : $"it is not a SharpShot {kind}");
            }

            state = JsonSerializer.Deserialize<TState>(reader.ReadString(), s_json)
                ?? throw new CheckpointMismatchException(path, "its header is empty");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new CheckpointMismatchException(path, $"it is truncated or corrupt ({e.Message})");
        }

        if (differenceFrom(state) is { } difference)
        {
            throw new CheckpointMismatchException(path, difference);
        }

        try
        {
            model.load(reader, strict: true);
            optimizer.load_state_dict(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointMismatchException(path, $"it is truncated ({e.Message})");
        }

        return state;
    }

    /// <summary>The first identity property whose saved value differs from the current run's, as a message; null when none does.</summary>
    public static string? FirstDifference(params (string Name, object Saved, object Now)[] identity)
    {
        foreach ((string name, object saved, object now) in identity)
        {
            if (!saved.Equals(now))
            {
                return $"it was written by another run: {name} {saved} there, {now} now. Delete it to start over, or restore the original settings to resume";
            }
        }

        return null;
    }
}

/// <summary>What a checkpoint records besides tensors: the run's identity and its progress.</summary>
internal sealed record CheckpointState(
    string Model,
    long ParameterCount,
    int TrainCount,
    int BatchSize,
    OptimizerKind Optimizer,
    double LearningRate,
    double Momentum,
    int Seed,
    int EpochsCompleted,
    IReadOnlyList<EpochResult> History)
{
    /// <summary>The first property that differs from <paramref name="run"/> (the epoch count aside), as a message; null when it is the same run.</summary>
    public string? DifferenceFrom(CheckpointState run) => CheckpointFile.FirstDifference(
        ("model", Model, run.Model),
        ("parameter count", ParameterCount, run.ParameterCount),
        ("training-set size", TrainCount, run.TrainCount),
        ("batch size", BatchSize, run.BatchSize),
        ("optimizer", Optimizer, run.Optimizer),
        ("learning rate", LearningRate, run.LearningRate),
        ("momentum", Momentum, run.Momentum),
        ("seed", Seed, run.Seed));
}

/// <summary>Thrown when <see cref="TrainingOptions.CheckpointPath"/> names a file that cannot resume this run.</summary>
public sealed class CheckpointMismatchException : IOException
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/>.</summary>
    public CheckpointMismatchException(string path, string problem)
        : base($"Cannot resume from checkpoint '{path}': {problem}.") => FilePath = path;

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }
}
