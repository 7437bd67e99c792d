// Sinusoid: few-shot regression as in the MAML paper (Finn et al., 2017). Meta-trains a 2×40 ReLU net on sinusoid
// tasks (amplitude in [0.1, 5], phase in [0, π], x in [−5, 5]), then fine-tunes it on K points of unseen tasks and
// reports the mean squared error after 1, 5 and 10 gradient steps. See README.md.
using System.Globalization;
using System.Text.Json;
using SharpShot;
using SharpShot.FewShot;
using SinusoidExample;

const string Usage =
    "usage: dotnet run --project examples/Sinusoid -c Release -- [options]\n" +
    "  --algorithm NAME   maml | fomaml | reptile | anil | metasgd (default maml)\n" +
    "  --k K              points to fine-tune on at test time (default 5)\n" +
    "  --train-k K        support points per training task (default 10, as in the paper)\n" +
    "  --inner-steps N    inner-loop steps in meta-training (default 3, the paper takes 1; 5 for reptile)\n" +
    "  --step-loss HOW    which query losses meta-train (MAML family): first (default) = half the weight after the\n" +
    "                     first inner step, half spread over all steps; mean = all steps alike (MAML++);\n" +
    "                     last = after the last step only (the paper, with --inner-steps 1; always for reptile)\n" +
    "  --episodes N       training budget in tasks (default 1,750,000 = 70,000 meta-batches of 25, as in the paper)\n" +
    "  --minutes M        training budget in minutes of wall time (default 60); whichever comes first\n" +
    "  --test-tasks N     unseen tasks to average over (default 1000)\n" +
    "  --seed S           seed (default 1)\n" +
    "  --out DIR          where the checkpoint and the ONNX file go (default sinusoid-out)\n" +
    "  --json             end the output with one JSON line of results";

MetaAlgorithm algorithm = MetaAlgorithm.Maml;
int k = 5, trainK = 10, testTasks = 1000, seed = 1, episodes = 1_750_000;
int? innerSteps = null;
string? stepLoss = null;
double minutes = 60;
string output = "sinusoid-out";
bool json = false;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        int Whole(int minimum)
        {
            string name = args[i], text = Value();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= minimum
                ? n
                : throw new ArgumentException($"{name} needs a whole number of at least {minimum}; got '{text}'.");
        }

        switch (args[i])
        {
            case "--algorithm":
                string name = Value();
                algorithm = name.ToLowerInvariant() switch
                {
                    "maml" => MetaAlgorithm.Maml,
                    "fomaml" => MetaAlgorithm.FoMaml,
                    "reptile" => MetaAlgorithm.Reptile,
                    "anil" => MetaAlgorithm.Anil,
                    "metasgd" => MetaAlgorithm.MetaSgd,
                    _ => throw new ArgumentException($"--algorithm must be maml, fomaml, reptile, anil or metasgd; got '{name}'."),
                };
                break;
            case "--k": k = Whole(1); break;
            case "--train-k": trainK = Whole(1); break;
            case "--inner-steps": innerSteps = Whole(1); break;
            case "--step-loss":
                stepLoss = Value();
                if (stepLoss is not ("first" or "mean" or "last"))
                {
                    throw new ArgumentException($"--step-loss must be first, mean or last; got '{stepLoss}'.");
                }

                break;
            case "--episodes": episodes = Whole(1); break;
            case "--test-tasks": testTasks = Whole(1); break;
            case "--seed": seed = Whole(0); break;
            case "--minutes":
                string text = Value();
                minutes = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0 && double.IsFinite(m)
                    ? m
                    : throw new ArgumentException($"--minutes needs a positive number; got '{text}'.");
                break;
            case "--out": output = Value(); break;
            case "--json": json = true; break;
            case "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default: throw new ArgumentException($"unknown option '{args[i]}'.");
        }
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
    return 2;
}

// A 40-unit net multiplies tiny matrices: a second LibTorch thread only adds synchronization (measured 4x slower
// with two threads on a busy 2-core machine), so this example runs on one.
TorchSharp.torch.set_num_threads(1);
var model = new SinusoidNet(seed: seed);
Console.WriteLine(model.Summary());
var tasks = new SinusoidTasks();
MetaLearnerOptions defaults = model.MetaLearningDefaults;
int steps = (int)Math.Ceiling((double)episodes / defaults.EffectiveMetaBatch);
Directory.CreateDirectory(output);
// Reptile moves towards where several SGD steps on the task's points end (Nichol et al.); it has no query loss per step.
bool reptile = algorithm == MetaAlgorithm.Reptile;
int inner = innerSteps ?? (reptile ? 5 : defaults.InnerSteps);
stepLoss ??= reptile ? "last" : "first";
MetaLearnerOptions settings = defaults with
{
    Algorithm = algorithm,
    InnerSteps = inner,
    MultiStepLoss = stepLoss != "last",
    MultiStepLossWeights = stepLoss == "first" ? FirstStepWeighted(inner) : null,
    Shots = trainK,
    Queries = trainK,
    Steps = steps,
    // Adam's rate halved three times (at 2/7, 4/7 and 6/7 of the run): the last initialization is less noisy.
    LearningRateHalvingEvery = Math.Max(1, steps * 2 / 7),
    Seed = seed,
    ValidationEvery = Math.Max(1, steps / 20),
    ValidationEpisodes = 100,
    CheckpointPath = Path.Combine(output, $"{algorithm.ToString().ToLowerInvariant()}.ckpt"),
    CheckpointEvery = Math.Max(1, steps / 50),
    ProgressEvery = Math.Max(1, steps / 20),
};
try
{
    settings.Validate(); // e.g. --step-loss mean with reptile, which has no query loss per inner step
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
    return 2;
}

using var learner = model.CreateMetaLearner(settings);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{algorithm}: K = {trainK}, {steps:N0} meta-batches of {settings.EffectiveMetaBatch} tasks, {settings.InnerSteps} inner step(s) at lr {settings.InnerLearningRate}" +
    $"{StepLossText(settings)}, Adam {settings.LearningRate}, at most {minutes:0.#} min"));
MetaTrainingHistory? history = null;
var clock = System.Diagnostics.Stopwatch.StartNew();
using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
try
{
    history = learner.MetaTrain(tasks, ReportProgress, budget.Token);
}
catch (OperationCanceledException) when (budget.IsCancellationRequested)
{
    Console.WriteLine($"Time budget of {minutes:0.#} min reached; the checkpoint holds the steps done.");
}

double trainSeconds = clock.Elapsed.TotalSeconds;

// Unseen tasks: a stream training and validation never draw from; the same tasks for every step count.
const int TestSeed = 2024;
var mse = new Dictionary<int, double>();
foreach (int stepsToFineTune in new[] { 1, 5, 10 })
{
    FewShotEvaluation result = learner.Evaluate(tasks, testTasks, TestSeed, innerSteps: stepsToFineTune, shots: k, queries: 100);
    mse[stepsToFineTune] = result.Loss;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"K = {k}, {stepsToFineTune} step(s): mean query MSE {result.Loss:F3} over {result.Episodes} unseen tasks"));
}

string onnxPath = Path.GetFullPath(Path.Combine(output, "sinusoid.onnx"));
model.ExportOnnx(onnxPath);
Console.WriteLine($"Exported the meta-trained initialization to {onnxPath}");

if (json)
{
    // A fine-tuning run that diverged has a NaN or infinite MSE, which JSON cannot hold: it is written as null.
    static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["algorithm"] = algorithm.ToString().ToLowerInvariant(),
        ["k"] = k,
        ["mse_1"] = Finite(mse[1]),
        ["mse_5"] = Finite(mse[5]),
        ["mse_10"] = Finite(mse[10]),
        ["train_seconds"] = Math.Round(trainSeconds, 1),
        ["train_steps"] = history?.Steps ?? 0,
        ["tasks_per_s"] = Math.Round(history?.EpisodesPerSecond ?? 0, 1),
    }));
}

return 0;

// Half the weight on the query loss after the first inner step, which the 1-step test measures; the other half spread
// over all steps, whose losses keep 5 and 10 fine-tuning steps from overshooting. Measured in README.md.
static double[] FirstStepWeighted(int steps) =>
    Enumerable.Range(0, steps).Select(step => (step == 0 ? 0.5 : 0) + (0.5 / steps)).ToArray();

static string StepLossText(MetaLearnerOptions settings) =>
    !settings.MultiStepLoss ? ""
    : settings.MultiStepLossWeights is { } weights ? $" (query loss after each, weights {string.Join(" / ", weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))})"
    : " (query loss after each, equal weights)";

static void ReportProgress(MetaTrainingProgress p)
{
    string validation = p.LastValidation is { } v ? string.Create(CultureInfo.InvariantCulture, $", validation MSE {v.Evaluation.Loss:F3}") : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"step {p.Step}/{p.Steps}: query MSE {p.Loss:F3}, {p.EpisodesPerSecond:F0} tasks/s, ETA {p.Remaining:hh\\:mm\\:ss}{validation}"));
}
