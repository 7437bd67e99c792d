// FewShot: meta-train a few-shot learner on Omniglot (Prototypical Networks or the MAML family), test it on
// alphabets it never saw, export it to ONNX and check ONNX Runtime classifies new episodes as well. See README.md.
using System.Globalization;
using System.Text.Json;
using FewShotExample;
using SharpShot;
using SharpShot.FewShot;
using SharpShot.Inference;
using SharpShot.Training;
using static TorchSharp.torch;

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

Data data;
try
{
    data = Data.Load(options);
}
catch (Exception e) when (e is IOException or ArgumentException)
{
    // A wrong --data path, a corrupt zip, an unknown alphabet: the message names the file or the names that exist.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

SequentialModel model;
MetaLearnerOptions defaults;
try
{
    (model, defaults) = Setup.Create(options);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

Console.WriteLine(model.Summary());
int batch = defaults.EffectiveMetaBatch;
int steps = (int)Math.Ceiling((double)(options.Episodes ?? Setup.DefaultEpisodes(options.Algorithm)) / batch);
double minutes = options.Minutes ?? Setup.DefaultMinutes(options.Algorithm);
Directory.CreateDirectory(options.OutputDirectory);
MetaLearnerOptions settings = defaults with
{
    Steps = steps,
    QueryNormalization = options.QueryNormalization,
    // Prototypical Networks halve Adam's rate at even intervals (Snell et al.: every 2,000 episodes); here six times
    // over the run, whatever its length, so a longer budget also anneals later.
    LearningRateHalvingEvery = options.Algorithm == MetaAlgorithm.ProtoNet ? Math.Max(1, steps / 6) : defaults.LearningRateHalvingEvery,
    ValidationData = data.Validation,
    ValidationEvery = Math.Max(1, steps / 10),
    ValidationEpisodes = 100,
    ValidationWays = options.Ways,
    ValidationQueries = 5,
    CheckpointPath = Path.Combine(options.OutputDirectory, $"{options.Algorithm.ToString().ToLowerInvariant()}.ckpt"),
    CheckpointEvery = Math.Max(1, steps / 50),
    ProgressEvery = Math.Max(1, Math.Min(100, steps / 100)),
};
using var learner = new MetaLearner(model, settings);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Algorithm}: {settings.Ways}-way {settings.Shots}-shot {settings.Queries}-query training, {steps:N0} steps of {batch} episode(s), at most {minutes:0.#} min; " +
    $"{data.Train.Classes.Count} training classes (with rotations), {data.Validation.Classes.Count} validation, {data.Test.Classes.Count} test"));

MetaTrainingHistory? history = null;
using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
var clock = System.Diagnostics.Stopwatch.StartNew();
try
{
    history = learner.MetaTrain(data.Train, Report.Progress, budget.Token);
}
catch (OperationCanceledException) when (budget.IsCancellationRequested)
{
    Console.WriteLine($"Time budget of {minutes:0.#} min reached; the checkpoint holds the steps done (run again with a larger --minutes to continue).");
}
catch (TrainingDivergedException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

double trainSeconds = clock.Elapsed.TotalSeconds;
double tasksPerSecond = history?.EpisodesPerSecond ?? Report.LastPace;
model.eval();

int testQueries = Math.Min(15, data.Test.Classes.Min(c => c.Count) - options.Shots);
var evaluations = new List<Dictionary<string, object>>();
FewShotEvaluation? result = null;
foreach (int ways in options.TestWays)
{
    // An embedding classifies any number of classes, so ProtoNet may test at several way counts; the first is the headline.
    FewShotEvaluation evaluation = learner.Evaluate(data.Test, options.TestEpisodes, seed: 2024, ways: ways, shots: options.Shots, queries: testQueries);
    Console.WriteLine($"Test ({ways}-way {options.Shots}-shot, unseen {string.Join(", ", data.TestGroups)}): {evaluation}");
    evaluations.Add(Report.Row(ways, options.Shots, evaluation));
    result ??= evaluation;
}

string onnxPath = Path.GetFullPath(Path.Combine(options.OutputDirectory, options.Algorithm == MetaAlgorithm.ProtoNet ? "embedding.onnx" : "learner.onnx"));
learner.ExportOnnx(onnxPath);
Console.WriteLine($"Exported {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes)");
double onnxAccuracy = options.Algorithm == MetaAlgorithm.ProtoNet
    ? OnnxCheck.Prototypes(onnxPath, data.Test, options, testQueries)
    : OnnxCheck.Adapted(learner, data.Test, options, testQueries, options.OutputDirectory);

var adaptive = options.Algorithm == MetaAlgorithm.ProtoNet
    ? default((double Agreement, double TorchAccuracy, double OnnxAccuracy, double MedianMs, string Path)?)
    : OnnxCheck.Adaptive(learner, data.Test, options, testQueries, options.OutputDirectory);

if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["algorithm"] = options.Algorithm.ToString().ToLowerInvariant(),
        ["query_normalization"] = options.QueryNormalization == QueryNormalization.SupportStatistics ? "support" : "batch",
        ["ways"] = options.Ways,
        ["shots"] = options.Shots,
        ["test_accuracy"] = Math.Round(result!.Accuracy, 5),
        ["ci95"] = Math.Round(result.ConfidenceInterval95, 5),
        ["episodes"] = result.Episodes,
        ["train_seconds"] = Math.Round(trainSeconds, 1),
        ["tasks_per_s"] = Math.Round(tasksPerSecond, 2),
        ["onnx_path"] = onnxPath,
        ["onnx_accuracy"] = Math.Round(onnxAccuracy, 5),
        ["train_steps"] = history?.Steps ?? Report.LastStep,
        ["evaluations"] = evaluations,
        ["adaptive_path"] = adaptive?.Path ?? "",
        ["adaptive_agreement"] = Math.Round(adaptive?.Agreement ?? double.NaN, 5),
        ["adaptive_torch_accuracy"] = Math.Round(adaptive?.TorchAccuracy ?? double.NaN, 5),
        ["adaptive_onnx_accuracy"] = Math.Round(adaptive?.OnnxAccuracy ?? double.NaN, 5),
        ["adaptive_median_ms"] = Math.Round(adaptive?.MedianMs ?? double.NaN, 3),
    }, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
}

return 0;
