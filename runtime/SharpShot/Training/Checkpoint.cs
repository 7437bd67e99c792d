using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpShot.Native;
using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Training;

/// <summary>
/// A training checkpoint: the model's weights and buffers, the optimizer's state, and how far training
/// got, in one file written atomically after every epoch. Training that finds its checkpoint continues
/// after the last completed epoch and ends with the same weights as an unbroken run.
/// </summary>
internal static class Checkpoint
{
    /// <summary>The kind's magic (<see cref="CheckpointFile"/>).</summary>
    public const string Kind = "SHARPSHOT-CKPT";

    /// <summary>Writes <paramref name="state"/>, the model and the optimizer to <paramref name="path"/>, keeping the file it replaces as <c>&lt;path&gt;.previous</c>.</summary>
    public static void Save(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState state) =>
        CheckpointFile.Save(path, Kind, model, optimizer, state, keepPrevious: true);

    /// <summary>Writes the best epoch's checkpoint to <paramref name="path"/> (<see cref="CheckpointFile.BestPath"/>).</summary>
    public static void SaveBest(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState state) =>
        CheckpointFile.Save(path, Kind, model, optimizer, state, keepPrevious: false);

    /// <summary>
    /// Restores the model and optimizer from <paramref name="path"/> when it holds a checkpoint of the same
    /// training run (<paramref name="expected"/>) with at most <paramref name="epochs"/> epochs done; returns its
    /// state, or null when there is no file. On any failure neither the model nor the optimizer is changed.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The file belongs to another model or other hyperparameters, has more epochs done than asked for, or is corrupt (<see cref="CheckpointCorruptException"/>).</exception>
    public static CheckpointState? TryRestore(string path, SequentialModel model, OptimizerHelper optimizer, CheckpointState expected, int epochs) =>
        CheckpointFile.TryRestore<CheckpointState>(path, Kind, model, optimizer, state => state.DifferenceFrom(expected)
            ?? CheckpointFile.BeyondRequested(state.EpochsCompleted, epochs, "epoch", "this Fit asks for", "Epochs"));
}

/// <summary>
/// The file layout every SharpShot checkpoint shares (format version <see cref="Version"/>), written atomically:
/// <list type="table">
/// <item><term>bytes 0–15</term><description>magic: the kind (<c>SHARPSHOT-CKPT</c> or <c>SHARPSHOT-META</c>) and <c>-2</c> (format 1 files end it in <c>-1</c>)</description></item>
/// <item><term>16–19</term><description>format version, int32 little-endian</description></item>
/// <item><term>20–23</term><description>header length H, int32</description></item>
/// <item><term>24–31</term><description>payload length P, int64</description></item>
/// <item><term>32–63</term><description>SHA-256 of everything else: bytes 0–31, the header and the payload</description></item>
/// <item><term>64…</term><description>header, UTF-8 JSON: the run's identity and progress, the native settings (<see cref="NativeSettings"/>), each tensor's name, type, shape and length, the optimizer state's length</description></item>
/// <item><term>64+H…</term><description>payload: the tensors' raw bytes (little-endian, row-major) in header order, then the optimizer's state</description></item>
/// </list>
/// Reading checks all of it — length, checksum, version, identity, every tensor against the module — before it changes
/// anything, and a file that fails is never half loaded.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int Version = 2;

    private const int KindLength = 14;
    private const int MagicLength = 16;
    private const int HashOffset = 32;
    private const int PrefixLength = 64;

    // The kinds of checkpoint, by magic, so a file of the wrong kind gets a message that says what it is.
    private static readonly Dictionary<string, string> s_kinds = new(StringComparer.Ordinal)
    {
        [Checkpoint.Kind] = "supervised training checkpoint (from Fit)",
        [FewShot.MetaCheckpoint.Kind] = "meta-training checkpoint",
    };

    // Validation results may hold NaN (the confidence interval of a single episode).
    private static readonly JsonSerializerOptions s_json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Where the checkpoint that <paramref name="path"/> replaced is kept: <c>&lt;path&gt;.previous</c>.</summary>
    public static string PreviousPath(string path) => path + ".previous";

    /// <summary>Where the best checkpoint by validation goes beside <paramref name="path"/>: <c>run.ckpt</c> → <c>run.best.ckpt</c>.</summary>
    public static string BestPath(string path)
    {
        string folder = Path.GetDirectoryName(path) ?? string.Empty;
        return Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".best" + Path.GetExtension(path));
    }

    /// <summary>
    /// Writes a checkpoint of kind <paramref name="kind"/> to <paramref name="path"/> (temporary file, then rename); with
    /// <paramref name="keepPrevious"/>, the file it replaces becomes <see cref="PreviousPath"/>.
    /// </summary>
    public static void Save<TState>(string path, string kind, nn.Module module, OptimizerHelper optimizer, TState run, bool keepPrevious)
    {
        byte[] file = Serialize(kind, module, optimizer, run);
        if (keepPrevious)
        {
            AtomicFile.Write(path, stream => stream.Write(file), PreviousPath(path));
        }
        else
        {
            AtomicFile.WriteAllBytes(path, file);
        }
    }

    /// <summary>
    /// Restores the module and optimizer from <paramref name="path"/> when it holds an intact checkpoint of kind
    /// <paramref name="kind"/> whose run <paramref name="differenceFrom"/> accepts (returns null for) and whose tensors
    /// fit the module; returns the run, or null when there is no file. Everything is checked before anything is
    /// changed; then the optimizer, the module's tensors and the native settings are restored.
    /// </summary>
    /// <exception cref="CheckpointCorruptException">The file is damaged, truncated or not a checkpoint.</exception>
    /// <exception cref="CheckpointVersionException">The file is of another format version.</exception>
    /// <exception cref="CheckpointMismatchException">The file is of another kind or another run, its tensors do not fit the module, or its native settings cannot be restored.</exception>
    public static TState? TryRestore<TState>(string path, string kind, nn.Module module, OptimizerHelper optimizer, Func<TState, string?> differenceFrom)
        where TState : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        Contents<TState> contents = Read<TState>(path, kind);
        if (differenceFrom(contents.Header.Run) is { } difference)
        {
            throw new CheckpointMismatchException(path, difference);
        }

        if (contents.Header.Native.Unrestorable() is { } environment)
        {
            throw new CheckpointMismatchException(path, environment);
        }

        Dictionary<string, Tensor> targets = module.state_dict();
        MatchTensors(path, contents.Header.Tensors, targets);
        if (OptimizerStateFormat.Problem(contents.Bytes.AsSpan(checked((int)contents.OptimizerOffset), checked((int)contents.Header.OptimizerLength)), optimizer) is { } optimizerProblem)
        {
            throw new CheckpointMismatchException(path, $"its optimizer state does not fit this optimizer ({optimizerProblem})");
        }

        // Everything is checked. The optimizer first: should it refuse its state after all, it gets its own back.
        RestoreOptimizer(path, optimizer, contents);
        CopyTensors(contents, targets);
        contents.Header.Native.Restore();
        return contents.Header.Run;
    }

    /// <summary>
    /// Copies the weights and buffers of the checkpoint at <paramref name="path"/> (any kind: its run, optimizer state
    /// and native settings are not used) into <paramref name="module"/>, after checking the file and every tensor.
    /// </summary>
    public static void LoadWeights(string path, nn.Module module)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"There is no checkpoint '{path}'.", path);
        }

        Contents<JsonElement> contents = Read<JsonElement>(path, kind: null);
        Dictionary<string, Tensor> targets = module.state_dict();
        MatchTensors(path, contents.Header.Tensors, targets);
        CopyTensors(contents, targets);
    }

    /// <summary>
    /// Why a checkpoint with <paramref name="done"/> <paramref name="unit"/>s completed cannot serve a run that asks for
    /// <paramref name="requested"/> (its weights are those of a later point), as a message; null when it can.
    /// </summary>
    public static string? BeyondRequested(int done, int requested, string unit, string asker, string option) =>
        done > requested
            ? $"it has {done} {unit}s done and {asker} {requested} ({option}); its weights are those after {unit} {done}, not {requested}. " +
              $"Ask for at least {done} {unit}s, or delete it to train {requested} from the start"
            : null;

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

    private static byte[] Serialize<TState>(string kind, nn.Module module, OptimizerHelper optimizer, TState run)
    {
        using var payload = new MemoryStream();
        var tensors = new List<TensorEntry>();
        using (var scope = NewDisposeScope())
        {
            foreach ((string name, Tensor tensor) in module.state_dict())
            {
                Tensor cpu = tensor.detach().cpu().contiguous();
                long length = cpu.NumberOfElements * cpu.ElementSize;
                if (length > 0)
                {
                    payload.Write(cpu.bytes);
                }

                tensors.Add(new TensorEntry(name, tensor.dtype.ToString(), tensor.shape, length));
            }
        }

        long optimizerStart = payload.Length;
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        var header = new Header<TState>(run, NativeSettings.Current(), tensors, payload.Length - optimizerStart);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, s_json);
        var file = new byte[PrefixLength + json.Length + payload.Length];
        Encoding.ASCII.GetBytes(kind + "-" + Version.ToString(CultureInfo.InvariantCulture), file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), Version);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(20), json.Length);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(24), payload.Length);
        json.CopyTo(file, PrefixLength);
        payload.GetBuffer().AsSpan(0, (int)payload.Length).CopyTo(file.AsSpan(PrefixLength + json.Length));
        Checksum(file).CopyTo(file, HashOffset);
        return file;
    }

    /// <summary>SHA-256 of everything but the checksum's own bytes.</summary>
    private static byte[] Checksum(byte[] file)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(file, 0, HashOffset);
        hash.AppendData(file, PrefixLength, file.Length - PrefixLength);
        return hash.GetHashAndReset();
    }

    /// <summary>Reads and checks the file at <paramref name="path"/>: kind (any when null), length, checksum, version, header, tensor table.</summary>
    private static Contents<TState> Read<TState>(string path, string? kind)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Parse<TState>(path, bytes, kind);
        }
        catch (CheckpointCorruptException e)
        {
            // Say whether the checkpoint it replaced is there, and whether that one is intact.
            string previous = PreviousPath(path);
            if (!File.Exists(previous))
            {
                throw;
            }

            string? problem = null;
            try
            {
                Parse<JsonElement>(previous, File.ReadAllBytes(previous), kind);
            }
            catch (Exception other) when (other is CheckpointMismatchException or IOException)
            {
                problem = other.Message;
            }

            throw new CheckpointCorruptException(path, e.Problem, previous, problem);
        }
    }

    private static Contents<TState> Parse<TState>(string path, byte[] bytes, string? kind)
    {
        string? expected = kind is null ? null : s_kinds[kind];
        if (bytes.Length < MagicLength)
        {
            throw new CheckpointCorruptException(path, $"it is {bytes.Length} bytes long, shorter than a checkpoint's {PrefixLength}-byte header: it is truncated, or not a checkpoint");
        }

        string foundKind = Encoding.ASCII.GetString(bytes, 0, KindLength);
        if (!s_kinds.TryGetValue(foundKind, out string? found))
        {
            throw new CheckpointCorruptException(path, $"it does not begin with a SharpShot checkpoint's magic ({string.Join(" or ", s_kinds.Keys.Select(k => $"'{k}-{Version}'"))}): it is not a checkpoint, or its first bytes are damaged");
        }

        if (kind is not null && foundKind != kind)
        {
            throw new CheckpointMismatchException(path, $"it is a {found}, not a {expected}");
        }

        string generation = Encoding.ASCII.GetString(bytes, KindLength, MagicLength - KindLength);
        if (generation == "-1")
        {
            throw new CheckpointVersionException(path, 1);
        }

        if (generation != $"-{Version}")
        {
            throw new CheckpointCorruptException(path, $"its magic ends in '{Printable(generation)}' instead of '-{Version}'");
        }

        if (bytes.Length < PrefixLength)
        {
            throw new CheckpointCorruptException(path, $"it is {bytes.Length} bytes long, shorter than its {PrefixLength}-byte header: it is truncated");
        }

        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        long payloadLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24));
        if (headerLength < 0 || payloadLength < 0 || PrefixLength + (long)headerLength + payloadLength != bytes.Length)
        {
            throw new CheckpointCorruptException(path,
                $"it is {bytes.Length} bytes long, but its header says {PrefixLength} + {headerLength} + {payloadLength} (prefix, header, payload): it is truncated or extended, or its lengths are damaged");
        }

        byte[] computed = Checksum(bytes);
        if (!computed.AsSpan().SequenceEqual(bytes.AsSpan(HashOffset, computed.Length)))
        {
            throw new CheckpointCorruptException(path,
                $"its SHA-256 checksum does not match its contents (stored {Convert.ToHexString(bytes, HashOffset, 8)}…, computed {Convert.ToHexString(computed, 0, 8)}…): bytes changed after it was written");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        if (version != Version)
        {
            throw new CheckpointVersionException(path, version);
        }

        Header<TState> header;
        try
        {
            header = JsonSerializer.Deserialize<Header<TState>>(bytes.AsSpan(PrefixLength, headerLength), s_json)
                ?? throw new JsonException("the header is null");
            if (header.Run is null || header.Native is null || header.Tensors is null)
            {
                throw new JsonException("the header lacks the run, the native settings or the tensor table");
            }

            if (FirstMissing(header.Run, "run") is { } missing)
            {
                throw new JsonException($"its {missing} is missing or null");
            }

            if (header.Run is ICheckpointRun run && run.Problem() is { } problem)
            {
                throw new JsonException(problem);
            }

            // Restoring hands the thread count to LibTorch, which aborts the process on one below 1.
            if (header.Native.Threads is < 1 or > NativeSettings.MaxThreads || header.Native.ConvolutionVerdicts is null)
            {
                throw new JsonException($"its native settings are not valid (threads {header.Native.Threads}, expected 1 to {NativeSettings.MaxThreads}; convolution verdicts {(header.Native.ConvolutionVerdicts is null ? "missing" : "present")})");
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointCorruptException(path, $"its header cannot be read ({e.Message})");
        }

        long offset = PrefixLength + (long)headerLength;
        var offsets = new long[header.Tensors.Count];
        for (int i = 0; i < header.Tensors.Count; i++)
        {
            TensorEntry entry = header.Tensors[i];
            if (entry.Name is null || entry.Shape is null || !Enum.TryParse(entry.DType, out ScalarType _) || entry.Shape.Any(d => d < 0) || entry.Length < 0)
            {
                throw new CheckpointCorruptException(path, $"its tensor table's entry {i} is not valid");
            }

            offsets[i] = offset;
            offset += entry.Length;
        }

        if (header.OptimizerLength < 0 || offset + header.OptimizerLength != bytes.Length)
        {
            throw new CheckpointCorruptException(path, $"its tensors and optimizer state add up to {offset + header.OptimizerLength - PrefixLength - headerLength} bytes, but its payload is {payloadLength}");
        }

        return new Contents<TState>(header, bytes, offsets, offset);
    }

    /// <summary>Checks that the file holds exactly the module's tensors, each with the module's type and shape and the bytes that take.</summary>
    private static void MatchTensors(string path, IReadOnlyList<TensorEntry> entries, Dictionary<string, Tensor> targets)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorEntry entry in entries)
        {
            if (!names.Add(entry.Name))
            {
                throw new CheckpointCorruptException(path, $"it holds tensor '{entry.Name}' twice");
            }

            if (!targets.TryGetValue(entry.Name, out Tensor? target))
            {
                throw new CheckpointMismatchException(path, $"it holds tensor '{entry.Name}', which the model does not have (it has {string.Join(", ", targets.Keys.Select(k => $"'{k}'"))})");
            }

            string shape = $"[{string.Join(", ", target.shape)}]";
            string savedShape = $"[{string.Join(", ", entry.Shape)}]";
            if (entry.DType != target.dtype.ToString() || savedShape != shape)
            {
                throw new CheckpointMismatchException(path, $"tensor '{entry.Name}' is {entry.DType} {savedShape} there, {target.dtype} {shape} in the model");
            }

            if (entry.Length != target.NumberOfElements * target.ElementSize)
            {
                throw new CheckpointCorruptException(path, $"tensor '{entry.Name}' has {entry.Length} bytes; {target.dtype} {shape} takes {target.NumberOfElements * target.ElementSize}");
            }
        }

        if (targets.Keys.FirstOrDefault(name => !names.Contains(name)) is { } missing)
        {
            throw new CheckpointMismatchException(path, $"the model's tensor '{missing}' is not in it");
        }
    }

    private static void RestoreOptimizer<TState>(string path, OptimizerHelper optimizer, Contents<TState> contents)
    {
        using var own = new MemoryStream();
        using (var writer = new BinaryWriter(own, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        try
        {
            using var stream = new MemoryStream(contents.Bytes, checked((int)contents.OptimizerOffset), checked((int)contents.Header.OptimizerLength), writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            optimizer.load_state_dict(reader);
            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"{stream.Length - stream.Position} of its {stream.Length} bytes were left over");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            own.Position = 0;
            using var reader = new BinaryReader(own, Encoding.UTF8);
            optimizer.load_state_dict(reader);
            throw new CheckpointMismatchException(path, $"its optimizer state does not fit this optimizer ({e.Message})");
        }
    }

    private static void CopyTensors<TState>(Contents<TState> contents, Dictionary<string, Tensor> targets)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < contents.Header.Tensors.Count; i++)
        {
            TensorEntry entry = contents.Header.Tensors[i];
            if (entry.Length == 0)
            {
                continue;
            }

            Tensor target = targets[entry.Name];
            Tensor source = empty(entry.Shape, target.dtype);
            source.bytes = contents.Bytes.AsSpan(checked((int)contents.Offsets[i]), checked((int)entry.Length));
            target.copy_(source);
        }
    }

    /// <summary>
    /// The path of the first value in <paramref name="value"/> (a record of the run, its lists and records) that is null
    /// where its declaration does not allow null — what a damaged or edited header leaves when a name is changed or a value
    /// is null; null when there is none.
    /// </summary>
    private static string? FirstMissing(object? value, string path)
    {
        if (value is null or string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is JsonElement)
        {
            return null;
        }

        if (value is System.Collections.IEnumerable items)
        {
            int index = 0;
            foreach (object? item in items)
            {
                if ((item is null ? $"{path}[{index}]" : FirstMissing(item, $"{path}[{index}]")) is { } found)
                {
                    return found;
                }

                index++;
            }

            return null;
        }

        if (value.GetType().Namespace?.StartsWith(nameof(SharpShot), StringComparison.Ordinal) != true)
        {
            return null;
        }

        var nullability = new System.Reflection.NullabilityInfoContext();
        foreach (System.Reflection.PropertyInfo property in value.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType.IsValueType)
            {
                continue;
            }

            object? member = property.GetValue(value);
            if (member is null && nullability.Create(property).ReadState == System.Reflection.NullabilityState.NotNull)
            {
                return $"{path}.{property.Name}";
            }

            if (FirstMissing(member, $"{path}.{property.Name}") is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Printable(string text) => new(text.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    /// <summary>One tensor of the payload.</summary>
    private sealed record TensorEntry(string Name, string DType, long[] Shape, long Length);

    /// <summary>The header: the run (identity and progress), the native settings, the tensor table and the optimizer state's length.</summary>
    private sealed record Header<TState>(TState Run, NativeSettings Native, IReadOnlyList<TensorEntry> Tensors, long OptimizerLength);

    /// <summary>A checked file: its header, its bytes, where each tensor starts and where the optimizer state starts.</summary>
    private sealed record Contents<TState>(Header<TState> Header, byte[] Bytes, long[] Offsets, long OptimizerOffset);
}

/// <summary>A checkpoint's run record that can say what in it no run could have written (a negative count).</summary>
internal interface ICheckpointRun
{
    /// <summary>What is impossible in this record, as a message; null when nothing is.</summary>
    string? Problem();
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
    IReadOnlyList<EpochResult> History) : ICheckpointRun
{
    /// <inheritdoc />
    public string? Problem() => EpochsCompleted < 0 || History.Count != EpochsCompleted
        ? $"its run has {EpochsCompleted} epochs completed and {History.Count} in its history"
        : null;

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

/// <summary>
/// Thrown when a checkpoint file (<see cref="TrainingOptions.CheckpointPath"/>, <c>MetaLearnerOptions.CheckpointPath</c>)
/// cannot resume this run: it belongs to another model or other hyperparameters (the message names the setting, its
/// value there and now), has more progress than asked for, or — the derived <see cref="CheckpointCorruptException"/> and
/// <see cref="CheckpointVersionException"/> — is damaged or of another format. Nothing is loaded from such a file.
/// </summary>
public class CheckpointMismatchException : IOException
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/>.</summary>
    public CheckpointMismatchException(string path, string problem)
        : this(path, problem, $"Cannot resume from checkpoint '{path}': {problem}.")
    {
    }

    /// <summary>Creates the exception with a message of its own.</summary>
    protected CheckpointMismatchException(string path, string problem, string message)
        : base(message)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file's name.</summary>
    public string Problem { get; }
}

/// <summary>
/// Thrown when a checkpoint file is damaged: truncated, changed after it was written (its SHA-256 checksum does not
/// match), or not a checkpoint at all. Nothing was loaded from it. When the checkpoint it replaced is still there
/// (<c>&lt;path&gt;.previous</c>), <see cref="PreviousCheckpoint"/> names it and the message says how to resume from it.
/// </summary>
public sealed class CheckpointCorruptException : CheckpointMismatchException
{
    /// <summary>Creates the exception for the damaged checkpoint at <paramref name="path"/>.</summary>
    public CheckpointCorruptException(string path, string problem)
        : this(path, problem, null, null)
    {
    }

    /// <summary>Creates the exception naming the previous checkpoint and, when it is damaged too, what is wrong with it.</summary>
    public CheckpointCorruptException(string path, string problem, string? previousCheckpoint, string? previousProblem)
        : base(path, problem, Describe(path, problem, previousCheckpoint, previousProblem))
    {
        PreviousCheckpoint = previousCheckpoint;
        PreviousIsIntact = previousCheckpoint is not null && previousProblem is null;
    }

    /// <summary>The checkpoint this one replaced (<c>&lt;path&gt;.previous</c>) when it exists; null otherwise.</summary>
    public string? PreviousCheckpoint { get; }

    /// <summary>True when <see cref="PreviousCheckpoint"/> exists and passed the same checks.</summary>
    public bool PreviousIsIntact { get; }

    private static string Describe(string path, string problem, string? previous, string? previousProblem)
    {
        string message = $"Checkpoint '{path}' is corrupt: {problem}. Nothing was loaded from it.";
        if (previous is null)
        {
            return message + " Delete it to start over.";
        }

        return previousProblem is null
            ? message + $" The checkpoint before it is intact: move '{previous}' to '{path}' to resume from there, or delete both to start over."
            : message + $" The checkpoint before it, '{previous}', is not usable either ({previousProblem}). Delete both to start over.";
    }
}

/// <summary>Thrown for a checkpoint file of a format version this SharpShot does not read (format 1 files come from earlier versions).</summary>
public sealed class CheckpointVersionException : CheckpointMismatchException
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/> of format <paramref name="version"/>.</summary>
    public CheckpointVersionException(string path, int version)
        : base(path, Describe(version), $"Cannot resume from checkpoint '{path}': {Describe(version)}.") => FoundVersion = version;

    /// <summary>The file's format version.</summary>
    public int FoundVersion { get; }

    /// <summary>The format version this SharpShot reads and writes.</summary>
    public int SupportedVersion => CheckpointFile.Version;

    private static string Describe(int version) => version < CheckpointFile.Version
        ? $"it is in checkpoint format {version}, written by an earlier SharpShot, and this one reads format {CheckpointFile.Version} (with a checksum and the native settings); delete it to start over, or finish that run with the SharpShot that wrote it"
        : $"it is in checkpoint format {version}, written by a newer SharpShot, and this one reads format {CheckpointFile.Version}";
}
