using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpShot.Onnx;
using SharpShot.Training;
using TorchSharp.Modules;

namespace SharpShot.FewShot;

/// <summary>
/// A meta-training checkpoint: the embedding's weights and buffers, Adam's state and how many episodes
/// are done, in one file written atomically (<see cref="AtomicFile"/>). Episodes depend only on the seed
/// and their index, so a run that restores it and continues at the next episode ends with the same
/// weights as an unbroken run. Laid out like the supervised <c>Checkpoint</c>, with its own magic.
/// </summary>
internal static class MetaCheckpoint
{
    private static readonly byte[] Magic = "SHARPSHOT-META-1"u8.ToArray();
    private static readonly byte[] SupervisedMagic = "SHARPSHOT-CKPT-1"u8.ToArray();

    // Validation results may hold NaN (the confidence interval of a single episode).
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes <paramref name="state"/>, the model and the optimizer to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(string path, SequentialModel model, OptimizerHelper optimizer, MetaCheckpointState state) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(state, Json));
            model.save(writer);
            optimizer.save_state_dict(writer);
        });

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of the same run
    /// (<paramref name="expected"/>, progress aside); returns its state, or null when there is no file.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file belongs to another run or is not a meta-training checkpoint.</exception>
    public static MetaCheckpointState? TryRestore(string path, SequentialModel model, OptimizerHelper optimizer, MetaCheckpointState expected)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        MetaCheckpointState state;
        try
        {
            byte[] magic = reader.ReadBytes(Magic.Length);
            if (magic.AsSpan().SequenceEqual(SupervisedMagic))
            {
                throw new CheckpointMismatchException(path, "it is a supervised training checkpoint (from Fit), not a meta-training one");
            }

            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new CheckpointMismatchException(path, "it is not a SharpShot meta-training checkpoint");
            }

            state = JsonSerializer.Deserialize<MetaCheckpointState>(reader.ReadString(), Json)
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
    double LearningRate,
    int LearningRateHalvingEvery,
    int Seed,
    string Transform,
    int EpisodesCompleted,
    IReadOnlyList<MetaValidationResult> Validations)
{
    /// <summary>The first property that differs from <paramref name="run"/> (progress aside), as a message; null when it is the same run.</summary>
    public string? DifferenceFrom(MetaCheckpointState run)
    {
        (string Name, object Saved, object Now)[] identity =
        [
            ("algorithm", Algorithm, run.Algorithm),
            ("model", Model, run.Model),
            ("parameter count", ParameterCount, run.ParameterCount),
            ("training classes", TrainClasses, run.TrainClasses),
            ("training samples", TrainSamples, run.TrainSamples),
            ("ways", Ways, run.Ways),
            ("shots", Shots, run.Shots),
            ("queries", Queries, run.Queries),
            ("learning rate", LearningRate, run.LearningRate),
            ("learning-rate halving", LearningRateHalvingEvery, run.LearningRateHalvingEvery),
            ("seed", Seed, run.Seed),
            ("transform", Transform, run.Transform),
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
