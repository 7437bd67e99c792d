using System.Diagnostics;
using SharpShot.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Training;

/// <summary>
/// The supervised training loop every generated model uses: seeded shuffling, mini-batches,
/// cross-entropy on the logits, Adam or SGD, validation after each epoch, optional checkpoints. Every
/// step runs in its own dispose scope, so native memory stays flat however long training runs.
/// </summary>
public static class Trainer
{
    /// <summary>How many progress reports an epoch produces at most (besides the one closing it).</summary>
    private const int ReportsPerEpoch = 100;

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>; see <see cref="SequentialModel.Fit"/>.</summary>
    public static TrainingHistory Fit(
        SequentialModel model,
        Dataset train,
        Dataset? validation,
        TrainingOptions options,
        Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckCompatible(model, train, nameof(train));
        if (validation is not null)
        {
            CheckCompatible(model, validation, nameof(validation));
        }

        if (train.Count == 0)
        {
            throw new ArgumentException("The training set is empty.", nameof(train));
        }

        Device device = model.Device;
        using OptimizerHelper optimizer = CreateOptimizer(model, options);
        var run = new CheckpointState(model.GetType().FullName ?? model.GetType().Name, model.ParameterCount, train.Count,
            options.BatchSize, options.Optimizer, options.LearningRate, options.Momentum, options.Seed, 0, []);
        CheckpointState? resumed = options.CheckpointPath is null ? null : Checkpoint.TryRestore(options.CheckpointPath, model, optimizer, run, options.Epochs);
        var epochs = new List<EpochResult>(resumed?.History ?? []);

        using Tensor features = ToTensor(train, device);
        using Tensor labels = torch.tensor(train.Labels, dtype: ScalarType.Int64, device: device);
        int batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        int reportEvery = Math.Max(1, batchesPerEpoch / ReportsPerEpoch);
        int[] order = new int[train.Count];
        var clock = Stopwatch.StartNew();

        for (int epoch = epochs.Count + 1; epoch <= options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            model.train();
            // Each epoch's shuffle and dropout depend only on (seed, epoch), so a run resumed from a
            // checkpoint repeats exactly what an unbroken run would have done.
            int epochSeed = EpochSeed(options.Seed, epoch);
            torch.manual_seed(epochSeed);
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            new Random(epochSeed).Shuffle(order);
            double lossSum = 0;
            long correct = 0;
            int seen = 0;
            int skipped = 0;

            for (int batch = 0; batch < batchesPerEpoch; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = batch * options.BatchSize;
                int size = Math.Min(options.BatchSize, train.Count - start);
                StepResult step = Step(model, optimizer, features, labels, order.AsSpan(start, size), device);
                if (!step.Taken)
                {
                    if (options.NonFiniteSteps == NonFiniteSteps.Stop)
                    {
                        throw new TrainingDivergedException(epoch, batch + 1, step.Loss, step.NonFiniteGradient, $"epoch {epoch}, batch {batch + 1}");
                    }

                    skipped++;
                }
                else
                {
                    lossSum += step.Loss * size;
                    correct += step.Correct;
                    seen += size;
                }

                if (progress is not null && (batch + 1) % reportEvery == 0 && batch + 1 < batchesPerEpoch)
                {
                    progress(Report(options, epoch, batch + 1, batchesPerEpoch, lossSum / seen, (double)correct / seen, clock.Elapsed, null));
                }
            }

            EvaluationResult? validated = validation is null ? null : Evaluate(model, validation, batchSize: 256);
            var result = new EpochResult(epoch, lossSum / seen, (double)correct / seen, validated?.Loss, validated?.Accuracy, epochClock.Elapsed) { SkippedSteps = skipped };
            bool best = validated is { } now && epochs.All(earlier => earlier.ValidationAccuracy is not { } accuracy || earlier.ValidationLoss is not { } loss
                || BestValidation.Beats(now.Accuracy, now.Loss, accuracy, loss));
            epochs.Add(result);
            if (options.CheckpointPath is not null)
            {
                CheckpointState state = run with { EpochsCompleted = epoch, History = epochs.ToArray() };
                Checkpoint.Save(options.CheckpointPath, model, optimizer, state);
                if (best)
                {
                    Checkpoint.SaveBest(CheckpointFile.BestPath(options.CheckpointPath), model, optimizer, state);
                }
            }

            progress?.Invoke(Report(options, epoch, batchesPerEpoch, batchesPerEpoch, result.TrainLoss, result.TrainAccuracy, clock.Elapsed, result));
        }

        model.eval();
        model.ClassLabels = train.ClassNames;
        model.InputScaling = train.Scaling;
        return new TrainingHistory(epochs, clock.Elapsed);
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> on <paramref name="data"/>, in eval mode and without gradients.</summary>
    public static EvaluationResult Evaluate(SequentialModel model, Dataset data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        CheckCompatible(model, data, nameof(data));
        if (data.Count == 0)
        {
            throw new ArgumentException("The dataset is empty.", nameof(data));
        }

        model.eval();
        Device device = model.Device;
        double lossSum = 0;
        long correct = 0;
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int size = Math.Min(batchSize, data.Count - start);
                Tensor x = BatchTensor(data, start, size, device);
                Tensor y = torch.tensor(data.Labels.AsSpan(start, size).ToArray(), dtype: ScalarType.Int64, device: device);
                Tensor logits = model.Logits(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }
        }

        return new EvaluationResult(lossSum / data.Count, (double)correct / data.Count, data.Count);
    }

    /// <summary>The model's outputs (what <c>forward</c> returns) for every sample, row-major, in eval mode.</summary>
    public static float[] Predict(SequentialModel model, Dataset data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        CheckShape(model, data.SampleShape, nameof(data));
        model.eval();
        Device device = model.Device;
        int outputLength = model.OutputShape.Aggregate(1, (a, b) => a * b);
        var outputs = new float[(long)data.Count * outputLength];
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int size = Math.Min(batchSize, data.Count - start);
                Tensor y = model.forward(BatchTensor(data, start, size, device)).cpu().contiguous();
                y.data<float>().CopyTo(outputs, checked(start * outputLength));
            }
        }

        return outputs;
    }

    /// <summary>A seed for one epoch, a fixed function of the run's seed and the epoch number.</summary>
    private static int EpochSeed(int seed, int epoch) => unchecked((seed * 1_000_003) + epoch);

    /// <summary>
    /// One optimizer step on the rows <paramref name="indices"/>, unless the loss or a gradient is not finite: then the
    /// gradients are cleared and nothing is updated (<see cref="StepResult.Taken"/> is false).
    /// </summary>
    private static StepResult Step(
        SequentialModel model, OptimizerHelper optimizer, Tensor features, Tensor labels, ReadOnlySpan<int> indices, Device device)
    {
        using var scope = NewDisposeScope();
        var index = new long[indices.Length];
        for (int i = 0; i < index.Length; i++)
        {
            index[i] = indices[i];
        }

        Tensor rows = torch.tensor(index, device: device);
        Tensor x = features.index_select(0, rows);
        Tensor y = labels.index_select(0, rows);
        optimizer.zero_grad();
        Tensor logits = model.Logits(x);
        Tensor loss = nn.functional.cross_entropy(logits, y);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
        {
            return new StepResult(value, 0, Taken: false, NonFiniteGradient: null);
        }

        loss.backward();
        if (NonFiniteGradients.First(model.named_parameters()) is { } parameter)
        {
            optimizer.zero_grad();
            return new StepResult(value, 0, Taken: false, parameter);
        }

        optimizer.step();
        return new StepResult(value, logits.argmax(1).eq(y).sum().item<long>(), Taken: true, NonFiniteGradient: null);
    }

    private static OptimizerHelper CreateOptimizer(SequentialModel model, TrainingOptions options) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(model.parameters(), lr: options.LearningRate),
        OptimizerKind.Sgd => optim.SGD(model.parameters(), options.LearningRate, momentum: options.Momentum),
        _ => throw new ArgumentException($"Unknown optimizer {options.Optimizer}."),
    };

    /// <summary>A step's loss and correct predictions, whether it updated the weights, and the parameter whose gradient stopped it.</summary>
    private readonly record struct StepResult(double Loss, long Correct, bool Taken, string? NonFiniteGradient);

    private static TrainingProgress Report(TrainingOptions options, int epoch, int batch, int batchesPerEpoch, double loss, double accuracy, TimeSpan elapsed, EpochResult? completed)
    {
        double done = ((epoch - 1) * (double)batchesPerEpoch + batch) / ((double)options.Epochs * batchesPerEpoch);
        TimeSpan remaining = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - done) / done) : TimeSpan.Zero;
        return new TrainingProgress(epoch, options.Epochs, batch, batchesPerEpoch, loss, accuracy, elapsed, remaining, completed);
    }

    private static Tensor ToTensor(Dataset data, Device device)
    {
        long[] shape = [data.Count, .. data.SampleShape.Select(d => (long)d)];
        return torch.tensor(data.Features, shape, device: device);
    }

    private static Tensor BatchTensor(Dataset data, int start, int size, Device device)
    {
        long[] shape = [size, .. data.SampleShape.Select(d => (long)d)];
        float[] slice = data.Features.AsSpan(start * data.SampleLength, size * data.SampleLength).ToArray();
        return torch.tensor(slice, shape, device: device);
    }

    private static void CheckCompatible(SequentialModel model, Dataset data, string parameterName)
    {
        CheckShape(model, data.SampleShape, parameterName);
        if (model.OutputShape.Count != 1)
        {
            throw new InvalidOperationException(
                $"Classification training needs a model whose output is a vector of class scores; {model.GetType().Name} outputs [{string.Join(", ", model.OutputShape)}] per sample.");
        }

        int labelsUsed = data.Labels.Length == 0 ? 0 : data.Labels.Max() + 1;
        if (labelsUsed > model.OutputShape[0])
        {
            throw new ArgumentException(
                $"The data has labels up to {labelsUsed - 1}, but {model.GetType().Name} outputs {model.OutputShape[0]} class scores.", parameterName);
        }
    }

    private static void CheckShape(SequentialModel model, IReadOnlyList<int> sampleShape, string parameterName)
    {
        if (!sampleShape.SequenceEqual(model.InputShape))
        {
            throw new ArgumentException(
                $"{model.GetType().Name} expects samples of shape [{string.Join(", ", model.InputShape)}]; the data has [{string.Join(", ", sampleShape)}].", parameterName);
        }
    }
}
