// ZeroShot: recognise Fashion-MNIST classes from a description alone. An embedding and a map from class descriptions
// (fashion-attributes.csv) to prototypes are meta-trained together on eight classes; the two held-out classes are then
// fitted from their descriptions only, in ONNX Runtime, and compared with a one-shot prototype. See README.md.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SharpShot;
using SharpShot.Data;
using SharpShot.FewShot;
using SharpShot.Inference;
using SharpShot.Training;
using ZeroShotExample;

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

Dataset trainSet, testSet;
ClassAttributes attributes;
try
{
    string folder = FashionMnist.Locate(options.DataPath) ?? throw new DirectoryNotFoundException(
        "Fashion-MNIST was not found: pass --data DIR (a folder with the four IDX files) or set SHARPSHOT_DATA.");
    (trainSet, testSet) = FashionMnist.Load(folder);
    attributes = ClassAttributes.Load(options.AttributesPath);
}
catch (Exception e) when (e is IOException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

string[] missing = options.Unseen.Where(name => !trainSet.ClassNames.Contains(name)).ToArray();
if (missing.Length > 0 || options.Unseen.Count < 2)
{
    Console.Error.WriteLine($"error: --unseen needs two or more of {string.Join(", ", trainSet.ClassNames)}; {(missing.Length > 0 ? $"unknown: {string.Join(", ", missing)}" : "got fewer than two")}.");
    return 2;
}

var unseen = new HashSet<string>(options.Unseen, StringComparer.Ordinal);
FewShotDataset train = FewShotDataset.FromLabelled(trainSet).Where(c => !unseen.Contains(c.Name));
FewShotDataset unseenTest = FewShotDataset.FromLabelled(testSet).Where(c => unseen.Contains(c.Name));
Directory.CreateDirectory(options.OutputDirectory);

var embedding = new FashionEmbedding(seed: options.Seed);
var map = new AttributeMap(seed: options.Seed + 1);
var settings = new MetaLearnerOptions
{
    Algorithm = MetaAlgorithm.ProtoNet,
    Ways = train.Classes.Count,
    Shots = 5,
    Queries = 10,
    Steps = options.Steps,
    LearningRateHalvingEvery = Math.Max(1, options.Steps / 4),
    Seed = options.Seed,
    CheckpointPath = Path.Combine(options.OutputDirectory, "zeroshot.ckpt"),
    CheckpointEvery = Math.Max(1, options.Steps / 50),
    ProgressEvery = Math.Max(1, options.Steps / 20),
};
using var learner = new MetaLearner(embedding, map, attributes, settings);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Training on {string.Join(", ", train.Classes.Select(c => c.Name))}; held out: {string.Join(", ", options.Unseen)}. " +
    $"{settings.Ways}-way {settings.Shots}-shot episodes, {settings.Steps:N0} steps, at most {options.Minutes:0.#} min."));

using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(options.Minutes));
var clock = Stopwatch.StartNew();
int stepsDone = 0;
try
{
    stepsDone = learner.MetaTrain(train, p =>
    {
        stepsDone = p.Step;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.Steps}: loss {p.Loss:F3}, few-shot acc {p.Accuracy:P1}, {p.EpisodesPerSecond:F1} episodes/s, ETA {p.Remaining:hh\\:mm\\:ss}"));
    }, budget.Token).Steps;
}
catch (OperationCanceledException) when (budget.IsCancellationRequested)
{
    Console.WriteLine($"Time budget of {options.Minutes:0.#} min reached after step {stepsDone}; the checkpoint keeps the steps done (run again to continue).");
}
catch (TrainingDivergedException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

double trainSeconds = clock.Elapsed.TotalSeconds;
FewShotEvaluation torchZeroShot = learner.EvaluateZeroShot(unseenTest, episodes: 100, seed: 2024, queries: 20);
Console.WriteLine($"TorchSharp, zero-shot among the {options.Unseen.Count} held-out classes: {torchZeroShot}");

string onnxPath = Path.GetFullPath(Path.Combine(options.OutputDirectory, "embedding.onnx"));
learner.ExportOnnx(onnxPath);
Console.WriteLine($"Exported {onnxPath} and {MetaLearner.AttributeMapPath(onnxPath)}");

// From here on, only ONNX Runtime: what a deployed app does with the two files.
using var classifier = FewShotClassifier.Load(onnxPath);
Evaluation.Result result = Evaluation.Run(classifier, attributes, trainSet, testSet, options.Unseen, options.Seed);
Console.WriteLine(result.Describe(options.Unseen));

if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["unseen"] = options.Unseen,
        ["train_steps"] = stepsDone,
        ["train_seconds"] = Math.Round(trainSeconds, 1),
        ["torch_zero_shot_accuracy"] = Math.Round(torchZeroShot.Accuracy, 5),
        ["zero_shot_accuracy"] = Math.Round(result.ZeroShot, 5),
        ["chance"] = Math.Round(1.0 / options.Unseen.Count, 5),
        ["generalized_unseen_accuracy"] = Math.Round(result.GeneralizedUnseen, 5),
        ["generalized_seen_accuracy"] = Math.Round(result.GeneralizedSeen, 5),
        ["generalized_harmonic_mean"] = Math.Round(result.HarmonicMean, 5),
        ["one_shot_accuracy"] = Math.Round(result.OneShot.Accuracy, 5),
        ["one_shot_ci95"] = Math.Round(result.OneShot.ConfidenceInterval95, 5),
        ["one_shot_with_description_accuracy"] = Math.Round(result.OneShotAndDescription.Accuracy, 5),
        ["one_shot_with_description_ci95"] = Math.Round(result.OneShotAndDescription.ConfidenceInterval95, 5),
        ["test_images_unseen"] = result.UnseenImages,
        ["onnx_path"] = onnxPath,
    }));
}

return 0;
