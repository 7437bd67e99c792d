using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using SharpShot.Data;
using SharpShot.Native;
using SharpShot.Tests.Models;
using SharpShot.Testing;
using SharpShot.Training;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SharpShot.Tests.Training;

/// <summary>
/// Checkpoint format 2: everything is checked (length, SHA-256, version, identity, every tensor) before the model or the
/// optimizer is touched, damage is a typed exception naming what is wrong, the last good checkpoint is kept, the best
/// epoch is written beside it, and resuming restores the native settings or refuses.
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class CheckpointFormatTests(ITestOutputHelper output)
{
    private static readonly Dataset Data = TrainerTests.VectorData(160);

    [Fact]
    public void AThousandSingleBitFlipsAreEachDetectedAndLeaveModelAndOptimizerUntouched()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var trained = new SmallMlp(seed: 4);
        trained.Fit(Data, options: trained.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
        byte[] good = File.ReadAllBytes(checkpoint);

        var model = new SmallMlp(seed: 99);
        using OptimizerHelper optimizer = optim.SGD(model.parameters(), model.TrainingDefaults.LearningRate, momentum: model.TrainingDefaults.Momentum);
        float[] weights = TrainerTests.Weights(model);
        byte[] optimizerState = OptimizerState(optimizer);
        CheckpointState run = Run(model);

        var random = new Random(16);
        string damaged = temp.File("damaged.ckpt");
        var clock = Stopwatch.StartNew();
        int detected = 0;
        for (int trial = 0; trial < 1_000; trial++)
        {
            byte[] bytes = (byte[])good.Clone();
            int bit = random.Next(bytes.Length * 8);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            File.WriteAllBytes(damaged, bytes);
            var error = Assert.ThrowsAny<CheckpointMismatchException>(() => Checkpoint.TryRestore(damaged, model, optimizer, run, epochs: 1));
            Assert.Equal(damaged, error.FilePath);
            Assert.Contains(damaged, error.Message);
            detected++;
        }

        clock.Stop();
        output.WriteLine($"{detected} of 1000 single-bit flips detected in a {good.Length}-byte checkpoint, {clock.ElapsedMilliseconds} ms");
        Assert.Equal(weights, TrainerTests.Weights(model));
        Assert.Equal(optimizerState, OptimizerState(optimizer));

        // The intact file does load: the checks above are not refusing everything.
        File.WriteAllBytes(damaged, good);
        Assert.NotNull(Checkpoint.TryRestore(damaged, model, optimizer, run, epochs: 1));
        Assert.Equal(TrainerTests.Weights(trained), TrainerTests.Weights(model));
    }

    [Fact]
    public void TruncationsAtRandomLengthsAreEachDetectedAsCorrupt()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var trained = new SmallMlp(seed: 4);
        trained.Fit(Data, options: trained.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
        byte[] good = File.ReadAllBytes(checkpoint);

        var model = new SmallMlp(seed: 99);
        using OptimizerHelper optimizer = optim.SGD(model.parameters(), model.TrainingDefaults.LearningRate, momentum: model.TrainingDefaults.Momentum);
        float[] weights = TrainerTests.Weights(model);
        var random = new Random(17);
        int[] lengths = [0, 1, 15, 16, 63, 64, good.Length - 1, .. Enumerable.Range(0, 200).Select(_ => random.Next(good.Length))];
        string damaged = temp.File("truncated.ckpt");
        foreach (int length in lengths)
        {
            File.WriteAllBytes(damaged, good[..length]);
            var error = Assert.Throws<CheckpointCorruptException>(() => Checkpoint.TryRestore(damaged, model, optimizer, Run(model), epochs: 1));
            Assert.Contains("truncated", error.Message);
        }

        // Bytes appended are caught too.
        File.WriteAllBytes(damaged, [.. good, 0]);
        Assert.Contains("extended", Assert.Throws<CheckpointCorruptException>(() => Checkpoint.TryRestore(damaged, model, optimizer, Run(model), epochs: 1)).Message);
        Assert.Equal(weights, TrainerTests.Weights(model));
    }

    [Fact]
    public void ADamagedCheckpointNamesTheProblemAndTheIntactPreviousOne()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var first = new SmallMlp(seed: 4);
        first.Fit(Data, options: first.TrainingDefaults with { Epochs = 2, CheckpointPath = checkpoint });
        string previous = checkpoint + ".previous";
        Assert.True(File.Exists(previous)); // the epoch-1 checkpoint, replaced by epoch 2's

        byte[] bytes = File.ReadAllBytes(checkpoint);
        bytes[^20] ^= 0x10;
        File.WriteAllBytes(checkpoint, bytes);
        var model = new SmallMlp(seed: 4);
        float[] untouched = TrainerTests.Weights(model);
        var error = Assert.Throws<CheckpointCorruptException>(() => model.Fit(Data, options: model.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint }));
        Assert.Contains("SHA-256", error.Message);
        Assert.Contains(checkpoint, error.Message);
        Assert.Equal(previous, error.PreviousCheckpoint);
        Assert.True(error.PreviousIsIntact);
        Assert.Contains($"move '{previous}'", error.Message);
        Assert.Equal(untouched, TrainerTests.Weights(model));

        // Following the advice resumes from epoch 1 and ends where an unbroken run does.
        File.Move(previous, checkpoint, overwrite: true);
        TrainingHistory resumed = model.Fit(Data, options: model.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint });
        var unbroken = new SmallMlp(seed: 4);
        unbroken.Fit(Data, options: unbroken.TrainingDefaults with { Epochs = 3 });
        Assert.Equal(3, resumed.Epochs.Count);
        Assert.Equal(TrainerTests.Weights(unbroken), TrainerTests.Weights(model));
    }

    [Fact]
    public void FormatOneAndNewerVersionsAreRefusedByVersion()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var model = new SmallMlp(seed: 4);

        // What SharpShot wrote before format 2: the magic, a length-prefixed JSON header, then the tensors.
        using (var writer = new BinaryWriter(File.Create(checkpoint)))
        {
            writer.Write("SHARPSHOT-CKPT-1"u8);
            writer.Write("{\"Model\":\"SharpShot.Tests.Models.SmallMlp\"}");
        }

        var old = Assert.Throws<CheckpointVersionException>(() => model.Fit(Data, options: model.TrainingDefaults with { CheckpointPath = checkpoint }));
        Assert.Equal((1, 2), (old.FoundVersion, old.SupportedVersion));
        Assert.Contains("format 1", old.Message);

        File.Delete(checkpoint);
        model.Fit(Data, options: model.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
        Rewrite(checkpoint, _ => { }, version: 3);
        var newer = Assert.Throws<CheckpointVersionException>(() => model.Fit(Data, options: model.TrainingDefaults with { CheckpointPath = checkpoint }));
        Assert.Contains("newer", newer.Message);
    }

    [Fact]
    public void FitWithFewerEpochsThanTheCheckpointHasIsRefused()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var trained = new SmallMlp(seed: 4);
        trained.Fit(Data, options: trained.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint });

        var model = new SmallMlp(seed: 4);
        float[] untouched = TrainerTests.Weights(model);
        var error = Assert.Throws<CheckpointMismatchException>(() => model.Fit(Data, options: model.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint }));
        Assert.Contains("3 epochs done", error.Message);
        Assert.Contains("asks for 1", error.Message);
        Assert.Equal(untouched, TrainerTests.Weights(model));

        // The same count is a finished run: nothing more to train, the checkpoint's weights.
        TrainingHistory done = model.Fit(Data, options: model.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint });
        Assert.Equal(3, done.Epochs.Count);
        Assert.Equal(TrainerTests.Weights(trained), TrainerTests.Weights(model));
    }

    [Fact]
    public void TheBestValidationEpochIsWrittenBesideTheCheckpoint()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        // Validation labels shifted by one class: the better the model learns the training set, the worse it does here.
        // Its accuracy stays 0 in every epoch, so the lower validation loss decides, and the best epoch is an early one.
        Dataset validation = TrainerTests.VectorData(80);
        validation = new Dataset(validation.Features, validation.Labels.Select(l => (l + 1) % 4).ToArray(), [20]);
        var model = new SmallMlp(seed: 4);
        TrainingHistory history = model.Fit(Data, validation, options: model.TrainingDefaults with { Epochs = 4, CheckpointPath = checkpoint });

        EpochResult best = history.Epochs.OrderByDescending(e => e.ValidationAccuracy).ThenBy(e => e.ValidationLoss).First();
        output.WriteLine($"validation accuracy by epoch: {string.Join(", ", history.Epochs.Select(e => $"{e.ValidationAccuracy:P1}"))}; best epoch {best.Epoch}");
        Assert.True(best.Epoch < history.Epochs.Count, "the test needs a best epoch before the last");
        string bestPath = temp.File("run.best.ckpt");
        Assert.True(File.Exists(bestPath));

        var loaded = new SmallMlp(seed: 50);
        loaded.LoadCheckpointWeights(bestPath);
        var reference = new SmallMlp(seed: 4);
        reference.Fit(Data, validation, options: reference.TrainingDefaults with { Epochs = best.Epoch });
        Assert.Equal(TrainerTests.Weights(reference), TrainerTests.Weights(loaded));
        Assert.NotEqual(TrainerTests.Weights(model), TrainerTests.Weights(loaded));
    }

    [Fact]
    public void WeightsOfAnotherModelAreRefusedNamingTheTensorAndNothingIsLoaded()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var mlp = new SmallMlp(seed: 4);
        mlp.Fit(Data, options: mlp.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });

        var other = new OnlyDense(seed: 1);
        float[] untouched = TrainerTests.Weights(other);
        var error = Assert.Throws<CheckpointMismatchException>(() => other.LoadCheckpointWeights(checkpoint));
        Assert.Contains("tensor '", error.Message);
        Assert.Equal(untouched, TrainerTests.Weights(other));

        // A tensor of another shape under the same name: the header edited, its checksum recomputed.
        Rewrite(checkpoint, header => header["Tensors"]![0]!["Shape"] = new JsonArray(16, 21));
        var model = new SmallMlp(seed: 5);
        float[] before = TrainerTests.Weights(model);
        var shape = Assert.Throws<CheckpointMismatchException>(() => model.LoadCheckpointWeights(checkpoint));
        Assert.Contains("[16, 21] there, Float32 [16, 20] in the model", shape.Message);
        Assert.Equal(before, TrainerTests.Weights(model));
    }

    [Fact]
    public void ResumingRestoresTheThreadCountAndTheFloat64Verdicts()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        int threads = get_num_threads();
        const string configuration = "conv2d test-only configuration that ran in float64";
        try
        {
            set_num_threads(1);
            ConvolutionGuard.Restore(new Dictionary<string, bool> { [configuration] = false });
            var model = new SmallMlp(seed: 4);
            model.Fit(Data, options: model.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
            Assert.Equal(1, (int)Header(checkpoint)["Native"]!["Threads"]!);

            // What a new process with other settings would have.
            set_num_threads(2);
            ConvolutionGuard.Forget(configuration);
            var resumed = new SmallMlp(seed: 99);
            resumed.Fit(Data, options: resumed.TrainingDefaults with { Epochs = 2, CheckpointPath = checkpoint });
            Assert.Equal(1, get_num_threads());
            Assert.False(ConvolutionGuard.Verdicts[configuration]);
        }
        finally
        {
            set_num_threads(threads);
            ConvolutionGuard.Forget(configuration);
        }
    }

    [Fact]
    public void NativeSettingsThatCannotBeRestoredAreRefusedBeforeAnythingIsLoaded()
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var model = new SmallMlp(seed: 4);
        model.Fit(Data, options: model.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
        var fresh = new SmallMlp(seed: 99);
        float[] untouched = TrainerTests.Weights(fresh);

        // Written in a process where oneDNN was the other way: it is fixed at start-up, so this one cannot resume it.
        Rewrite(checkpoint, header => header["Native"]!["OneDnnDisabled"] = !TorchRuntime.OneDnnDisabled);
        var oneDnn = Assert.Throws<CheckpointMismatchException>(() => fresh.Fit(Data, options: fresh.TrainingDefaults with { Epochs = 2, CheckpointPath = checkpoint }));
        Assert.Contains("oneDNN", oneDnn.Message);
        Assert.Contains(TorchRuntime.OneDnnVariable, oneDnn.Message);
        Assert.Equal(untouched, TrainerTests.Weights(fresh));

        // A convolution that ran on oneDNN there, where this process found oneDNN wrong for it.
        const string configuration = "conv2d test-only configuration that oneDNN got wrong here";
        try
        {
            Rewrite(checkpoint, header =>
            {
                header["Native"]!["OneDnnDisabled"] = TorchRuntime.OneDnnDisabled;
                header["Native"]!["ConvolutionVerdicts"]![configuration] = true;
            });
            ConvolutionGuard.Restore(new Dictionary<string, bool> { [configuration] = false });
            var verdict = Assert.Throws<CheckpointMismatchException>(() => fresh.Fit(Data, options: fresh.TrainingDefaults with { Epochs = 2, CheckpointPath = checkpoint }));
            Assert.Contains(configuration, verdict.Message);
            Assert.Equal(untouched, TrainerTests.Weights(fresh));
        }
        finally
        {
            ConvolutionGuard.Forget(configuration);
        }
    }

    [Theory]
    [InlineData("threads 0")]          // found by the fuzzer: LibTorch aborted the process on set_num_threads(0)
    [InlineData("threads -3")]
    [InlineData("threads 100000")]
    [InlineData("renamed property")]   // found by the fuzzer: a NullReferenceException where the name no longer matched
    [InlineData("null history entry")]
    [InlineData("negative epochs")]
    [InlineData("history longer than the epochs")]
    public void HeadersNoWriterProducesAreRefusedAsCorruptBeforeAnythingIsLoaded(string damage)
    {
        using var temp = new TempFolder();
        string checkpoint = temp.File("run.ckpt");
        var model = new SmallMlp(seed: 4);
        model.Fit(Data, options: model.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
        int threads = get_num_threads();
        Rewrite(checkpoint, header =>
        {
            JsonNode run = header["Run"]!;
            switch (damage)
            {
                case "threads 0": header["Native"]!["Threads"] = 0; break;
                case "threads -3": header["Native"]!["Threads"] = -3; break;
                case "threads 100000": header["Native"]!["Threads"] = 100000; break;
                case "renamed property": run["Mode1"] = run["Model"]!.DeepClone(); run.AsObject().Remove("Model"); break;
                case "null history entry": run["History"]!.AsArray()[0] = null; break;
                case "negative epochs": run["EpochsCompleted"] = -1; break;
                default: run["History"]!.AsArray().Add(run["History"]!.AsArray()[0]!.DeepClone()); break;
            }
        });
        var fresh = new SmallMlp(seed: 99);
        float[] untouched = TrainerTests.Weights(fresh);

        var resume = Assert.Throws<CheckpointCorruptException>(() => fresh.Fit(Data, options: fresh.TrainingDefaults with { Epochs = 2, CheckpointPath = checkpoint }));
        Assert.Contains("header", resume.Message);
        if (damage.StartsWith("threads", StringComparison.Ordinal))
        {
            // Loading weights alone reads the native settings too (not the run, which it does not use).
            Assert.Throws<CheckpointCorruptException>(() => fresh.LoadCheckpointWeights(checkpoint));
        }

        Assert.Equal(untouched, TrainerTests.Weights(fresh));
        Assert.Equal(threads, get_num_threads());
    }

    private static CheckpointState Run(SequentialModel model) =>
        new(model.GetType().FullName!, model.ParameterCount, Data.Count, model.TrainingDefaults.BatchSize, model.TrainingDefaults.Optimizer,
            model.TrainingDefaults.LearningRate, model.TrainingDefaults.Momentum, model.TrainingDefaults.Seed, 0, []);

    private static byte[] OptimizerState(OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        return stream.ToArray();
    }

    /// <summary>The header of a format-2 checkpoint, as JSON.</summary>
    internal static JsonNode Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        return JsonNode.Parse(bytes.AsSpan(64, headerLength))!;
    }

    /// <summary>Edits a format-2 checkpoint's header (and version), then writes the lengths and the SHA-256 anew, as a writer would.</summary>
    internal static void Rewrite(string path, Action<JsonNode> edit, int version = 2)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        JsonNode header = JsonNode.Parse(bytes.AsSpan(64, headerLength))!;
        edit(header);
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        byte[] payload = bytes[(64 + headerLength)..];
        byte[] file = [.. bytes[..64], .. json, .. payload];
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), version);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(20), json.Length);
        CheckpointChecksum.WriteInto(file);
        File.WriteAllBytes(path, file);
    }
}
