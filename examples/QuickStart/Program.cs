// QuickStart: the seed CNN end to end — train with TorchSharp, export to ONNX, run with ONNX Runtime,
// and check that both give the same answers. See README.md.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QuickStart;
using SharpShot.Data;
using SharpShot.Inference;
using SharpShot.Training;

Options options;
try
{
    options = Options.Parse(args);
    if (options.Help)
    {
        Console.WriteLine(Options.Usage);
        return 0;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{Options.Usage}");
    return 2;
}

Dataset train, test;
try
{
    (train, test) = LoadData(options.DataDirectory);
}
catch (IOException e)
{
    // A wrong --data folder, or a truncated or corrupt file: the message names the file and the problem.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

var model = new FashionCnn();
Console.WriteLine(model.Summary());
TrainingOptions trainingOptions = model.TrainingDefaults with { Epochs = options.Epochs ?? model.TrainingDefaults.Epochs };
Console.WriteLine($"Training {trainingOptions.Epochs} epochs on {train.Count:N0} images, batch {trainingOptions.BatchSize}, {trainingOptions.Optimizer} lr {trainingOptions.LearningRate}");
var progressBar = new ProgressBar(Console.Out, interactive: !Console.IsOutputRedirected);
TrainingHistory history = model.Fit(train, validation: test, progress: progressBar.Report, options: trainingOptions);
EvaluationResult evaluation = model.Evaluate(test);
Console.WriteLine($"Test accuracy: {evaluation.Accuracy:P2} (loss {evaluation.Loss:F4}) after {history.Duration.TotalSeconds:F1} s of training");

string onnxPath = Path.GetFullPath(Path.Combine(options.OutputDirectory, "model.onnx"));
model.ExportOnnx(onnxPath);
Console.WriteLine($"Exported {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes)");

using var onnx = OnnxModel.Load(onnxPath);
// The exported graph scales the pixels itself (its input takes raw values, 0 to 255), so it gets the raw pixels
// behind the test set's scaled features.
Dataset onnxTest = onnx.ImageInput is { NormalizedInGraph: true }
    ? new Dataset(test.Scaling.ToRaw(test.Features), test.Labels, test.SampleShape, test.ClassNames)
    : test;
Agreement agreement = Agreement.Measure(model.Predict(test), onnx, onnxTest);
Console.WriteLine($"ONNX Runtime vs TorchSharp on {test.Count:N0} test images: same class for {agreement.Fraction:P3}, max |difference| {agreement.MaxAbsDifference:E2}");

double latencyMs = Timing.MedianLatencyMs(onnx, onnxTest);
double imagesPerSecond = Timing.Throughput(onnx, onnxTest, batchSize: 256);
Console.WriteLine($"ONNX Runtime: median latency {latencyMs:F3} ms at batch 1, {imagesPerSecond:N0} images/s at batch 256");

if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["accuracy"] = Math.Round(evaluation.Accuracy, 5),
        ["agreement"] = Math.Round(agreement.Fraction, 5),
        ["max_abs_diff"] = agreement.MaxAbsDifference,
        ["latency_ms_b1"] = Math.Round(latencyMs, 4),
        ["images_per_s_b256"] = Math.Round(imagesPerSecond, 1),
        ["train_seconds"] = Math.Round(history.Duration.TotalSeconds, 2),
        ["onnx_path"] = onnxPath,
    }));
}

return 0;

static (Dataset Train, Dataset Test) LoadData(string? explicitDirectory)
{
    string? directory = FashionMnist.Locate(explicitDirectory);
    if (directory is not null)
    {
        Console.WriteLine($"Fashion-MNIST from {directory}");
        return FashionMnist.Load(directory);
    }

    Console.WriteLine(
        "No Fashion-MNIST found (no --data, no $SHARPSHOT_DATA, nothing in /usr/share/datasets/fashion-mnist): " +
        "training on generated images instead (10 procedural pattern classes). Pass --data DIR for the real data set.");
    return SyntheticImages.Generate(trainCount: 12_000, testCount: 2_000, seed: 1);
}

/// <summary>How closely ONNX Runtime reproduces TorchSharp's outputs.</summary>
internal sealed record Agreement(double Fraction, double MaxAbsDifference)
{
    public static Agreement Measure(float[] torchOutputs, OnnxModel onnx, Dataset data)
    {
        const int batch = 256;
        int outputLength = onnx.OutputLength;
        var onnxOutputs = new float[torchOutputs.Length];
        for (int start = 0; start < data.Count; start += batch)
        {
            int size = Math.Min(batch, data.Count - start);
            onnx.PredictBatch(
                data.Features.AsSpan(start * data.SampleLength, size * data.SampleLength),
                size,
                onnxOutputs.AsSpan(start * outputLength, size * outputLength));
        }

        int same = 0;
        double maxDifference = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> a = torchOutputs.AsSpan(i * outputLength, outputLength);
            ReadOnlySpan<float> b = onnxOutputs.AsSpan(i * outputLength, outputLength);
            if (ArgMax(a) == ArgMax(b))
            {
                same++;
            }

            for (int j = 0; j < outputLength; j++)
            {
                maxDifference = Math.Max(maxDifference, Math.Abs(a[j] - b[j]));
            }
        }

        return new Agreement((double)same / data.Count, maxDifference);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}

/// <summary>ONNX Runtime timings over real test images.</summary>
internal static class Timing
{
    public static double MedianLatencyMs(OnnxModel onnx, Dataset data, int calls = 2_000)
    {
        var output = new float[onnx.OutputLength];
        for (int i = 0; i < 100; i++)
        {
            onnx.Predict(data.Sample(i % data.Count), output);
        }

        var samples = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            onnx.Predict(data.Sample(i % data.Count), output);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[calls / 2];
    }

    public static double Throughput(OnnxModel onnx, Dataset data, int batchSize, double seconds = 3)
    {
        int size = Math.Min(batchSize, data.Count);
        ReadOnlySpan<float> batch = data.Features.AsSpan(0, size * data.SampleLength);
        var output = new float[size * onnx.OutputLength];
        onnx.PredictBatch(batch, size, output);
        long images = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            onnx.PredictBatch(batch, size, output);
            images += size;
        }

        return images / clock.Elapsed.TotalSeconds;
    }
}

/// <summary>Draws training progress: a redrawn bar on a terminal, one line per epoch when output is redirected.</summary>
internal sealed class ProgressBar(TextWriter output, bool interactive)
{
    private const int Width = 30;

    public void Report(TrainingProgress p)
    {
        if (p.CompletedEpoch is { } epoch)
        {
            string validation = epoch.ValidationAccuracy is { } accuracy
                ? string.Create(CultureInfo.InvariantCulture, $", val loss {epoch.ValidationLoss:F4}, val acc {accuracy:P2}")
                : "";
            string line = string.Create(CultureInfo.InvariantCulture,
                $"epoch {p.Epoch}/{p.Epochs}: loss {epoch.TrainLoss:F4}, acc {epoch.TrainAccuracy:P2}{validation} ({epoch.Duration.TotalSeconds:F1} s)");
            output.WriteLine(interactive ? "\r" + line.PadRight(110) : line);
            return;
        }

        if (!interactive)
        {
            return;
        }

        int filled = (int)Math.Round(Width * (double)p.Batch / p.BatchesPerEpoch);
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"\repoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', Width - filled)}] {p.Batch}/{p.BatchesPerEpoch} loss {p.Loss:F4} acc {p.Accuracy:P1} ETA {p.Remaining:hh\\:mm\\:ss}"));
    }
}
