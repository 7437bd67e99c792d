using System.Diagnostics;
using SharpShot.Data;
using SharpShot.Tests.Models;
using SharpShot.Training;
using static TorchSharp.torch;

namespace SharpShot.Tests.Training;

[Collection(DeterministicTrainingCollection.Name)]
public class TrainerTests
{
    private static readonly (Dataset Train, Dataset Test) Images = SyntheticImages.Generate(trainCount: 1_200, testCount: 300, seed: 5);

    [Fact]
    public void FitLearnsTheSyntheticImagesWellAboveChance()
    {
        var model = new TinyCnn();
        double before = model.Evaluate(Images.Test).Accuracy;
        TrainingHistory history = model.Fit(Images.Train, validation: Images.Test, options: model.TrainingDefaults with { Epochs = 2 });

        Assert.Equal(2, history.Epochs.Count);
        Assert.True(history.Epochs[^1].ValidationAccuracy > 0.6, $"validation accuracy {history.Epochs[^1].ValidationAccuracy} (before training {before})");
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss);
        Assert.Equal(Images.Train.ClassNames, model.ClassLabels);
    }

    [Fact]
    public void SameSeedAndDataGiveTheSameWeights()
    {
        float[] first = TrainAndReadWeights(seed: 9);
        float[] second = TrainAndReadWeights(seed: 9);
        float[] other = TrainAndReadWeights(seed: 10);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void ProgressReportsBatchesAndClosesEveryEpoch()
    {
        var reports = new List<TrainingProgress>();
        var model = new SmallMlp();
        model.Fit(VectorData(200), progress: reports.Add);

        Assert.Equal(2, reports.Count(r => r.CompletedEpoch is not null));
        Assert.Contains(reports, r => r.CompletedEpoch is null && r.Batch > 0);
        Assert.Equal(1.0, reports[^1].Fraction, 6);
        Assert.All(reports, r => Assert.InRange(r.Fraction, 0, 1));
    }

    [Fact]
    public void WrongSampleShapeIsRejectedNamingBothShapes()
    {
        var model = new TinyCnn();
        var data = new Dataset(new float[2 * 20], [0, 1], [20]);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data));
        Assert.Contains("[1, 28, 28]", error.Message);
        Assert.Contains("[20]", error.Message);
    }

    [Fact]
    public void LabelsBeyondTheOutputsAreRejected()
    {
        var model = new SmallMlp();
        var data = new Dataset(new float[3 * 20], [0, 1, 6], [20]);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data));
        Assert.Contains("outputs 4", error.Message);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var model = new SmallMlp();
        Assert.Throws<ArgumentException>(() => model.Fit(VectorData(10), options: model.TrainingDefaults with { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => model.Fit(VectorData(10), options: model.TrainingDefaults with { LearningRate = double.NaN }));
    }

    [Fact]
    public void NonFiniteLossStopsTrainingInsteadOfTrainingOnNaN()
    {
        var model = new SmallMlp();
        Dataset data = VectorData(64);
        data.Features[5] = float.NaN;
        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data));
        Assert.Equal(1, error.Epoch);
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        var model = new SmallMlp();
        using var cancellation = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            model.Fit(VectorData(400), progress: _ => cancellation.Cancel(), cancellationToken: cancellation.Token));
    }

    [Fact]
    public void NativeMemoryStaysFlatOverManyEpochs()
    {
        var model = new SmallMlp();
        Dataset data = VectorData(512);
        TrainingOptions options = model.TrainingDefaults with { Epochs = 5, BatchSize = 8 };
        model.Fit(data, options: options); // warm-up: allocator pools and JIT settle
        long before = ResidentBytes();
        for (int i = 0; i < 6; i++)
        {
            model.Fit(data, options: options); // 6 × 5 × 64 = 1,920 more steps
        }

        long growth = ResidentBytes() - before;
        Assert.True(growth < 48L << 20, $"resident memory grew by {growth >> 20} MiB over 1,920 training steps");
    }

    private static float[] TrainAndReadWeights(int seed)
    {
        var model = new SmallMlp(seed);
        model.Fit(VectorData(96), options: model.TrainingDefaults with { Seed = seed });
        return Weights(model);
    }

    internal static float[] Weights(SequentialModel model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().SelectMany(p => p.detach().contiguous().data<float>().ToArray()).ToArray();
    }

    /// <summary>Four classes separable by which quarter of the 20 features is large.</summary>
    internal static Dataset VectorData(int count)
    {
        var random = new Random(count);
        var features = new float[count * 20];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 4;
            for (int j = 0; j < 20; j++)
            {
                features[i * 20 + j] = (float)(random.NextDouble() * 0.5 + (j / 5 == labels[i] ? 1.0 : 0.0));
            }
        }

        return new Dataset(features, labels, [20]);
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}

[Collection(DeterministicTrainingCollection.Name)]
public class CheckpointTests
{
    [Fact]
    public void ResumedRunEndsWithTheSameWeightsAsAnUnbrokenOne()
    {
        using var temp = new TempFolder();
        Dataset data = TrainerTests.VectorData(160);

        var unbroken = new SmallMlp(seed: 4);
        TrainingHistory full = unbroken.Fit(data, options: unbroken.TrainingDefaults with { Epochs = 3 });

        string checkpoint = temp.File("run.ckpt");
        var interrupted = new SmallMlp(seed: 4);
        interrupted.Fit(data, options: interrupted.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });
        Assert.True(File.Exists(checkpoint));

        // A fresh process would start from a freshly initialized model; the checkpoint restores the rest.
        var resumed = new SmallMlp(seed: 99);
        TrainingHistory rest = resumed.Fit(data, options: resumed.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint });

        Assert.Equal(TrainerTests.Weights(unbroken), TrainerTests.Weights(resumed));
        Assert.Equal(3, rest.Epochs.Count);
        Assert.Equal(full.Epochs.Select(e => e.TrainLoss), rest.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void CrashMidEpochLosesOnlyThatEpoch()
    {
        using var temp = new TempFolder();
        Dataset data = TrainerTests.VectorData(160);
        string checkpoint = temp.File("run.ckpt");
        var model = new SmallMlp(seed: 4);
        using var crash = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(data,
            progress: p => { if (p.Epoch == 2 && p.CompletedEpoch is null) crash.Cancel(); },
            options: model.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint },
            cancellationToken: crash.Token));

        var resumed = new SmallMlp(seed: 4);
        resumed.Fit(data, options: resumed.TrainingDefaults with { Epochs = 3, CheckpointPath = checkpoint });
        var unbroken = new SmallMlp(seed: 4);
        unbroken.Fit(data, options: unbroken.TrainingDefaults with { Epochs = 3 });

        Assert.Equal(TrainerTests.Weights(unbroken), TrainerTests.Weights(resumed));
    }

    [Fact]
    public void CheckpointOfAnotherRunIsRefusedNamingTheDifference()
    {
        using var temp = new TempFolder();
        Dataset data = TrainerTests.VectorData(64);
        string checkpoint = temp.File("run.ckpt");
        var model = new SmallMlp();
        model.Fit(data, options: model.TrainingDefaults with { Epochs = 1, CheckpointPath = checkpoint });

        var error = Assert.Throws<CheckpointMismatchException>(() =>
            model.Fit(data, options: model.TrainingDefaults with { Epochs = 2, LearningRate = 0.5, CheckpointPath = checkpoint }));
        Assert.Contains("learning rate", error.Message);

        File.WriteAllText(checkpoint, "not a checkpoint");
        Assert.Throws<CheckpointCorruptException>(() =>
            model.Fit(data, options: model.TrainingDefaults with { Epochs = 2, CheckpointPath = checkpoint }));
    }
}
