using System.Text;
using System.Text.Json;
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
    private static readonly byte[] Magic = "SHARPSHOT-CKPT-1"u8.ToArray();

    /// <summary>Writes <paramref name="state"/>, the model and the optimizer to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState state) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(state));
            model.save(writer);
            optimizer.save_state_dict(writer);
        });

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of the same
    /// training run (<paramref name="expected"/>, epochs aside); returns its state, or null when there is no file.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file belongs to another model or other hyperparameters, or is not a checkpoint.</exception>
    public static CheckpointState? TryRestore(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState expected)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        CheckpointState state;
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new CheckpointMismatchException(path, "it is not a SharpShot training checkpoint");
            }

            state = JsonSerializer.Deserialize<CheckpointState>(reader.ReadString())
                ?? throw new CheckpointMismatchException(path, "its header is empty");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new CheckpointMismatchException(path, $"it is truncated or corrupt ({e.Message})");
        }

        string? difference = state.DifferenceFrom(expected);
        if (difference is not null)
        {
            throw new CheckpointMismatchException(path, difference);
        }

        model.load(reader, strict: true);
        optimizer.load_state_dict(reader);
        return state;
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
    public string? DifferenceFrom(CheckpointState run)
    {
        (string Name, object Saved, object Now)[] identity =
        [
            ("model", Model, run.Model),
            ("parameter count", ParameterCount, run.ParameterCount),
            ("training-set size", TrainCount, run.TrainCount),
            ("batch size", BatchSize, run.BatchSize),
            ("optimizer", Optimizer, run.Optimizer),
            ("learning rate", LearningRate, run.LearningRate),
            ("momentum", Momentum, run.Momentum),
            ("seed", Seed, run.Seed),
        ];
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

/// <summary>Thrown when <see cref="TrainingOptions.CheckpointPath"/> names a file that cannot resume this run.</summary>
public sealed class CheckpointMismatchException : IOException
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/>.</summary>
    public CheckpointMismatchException(string path, string problem)
        : base($"Cannot resume from checkpoint '{path}': {problem}.") => FilePath = path;

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }
}
