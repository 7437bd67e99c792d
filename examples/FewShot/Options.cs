using System.Globalization;
using SharpShot;

namespace FewShotExample;

/// <summary>Command-line options of the FewShot example.</summary>
internal sealed record Options
{
    public const string Usage =
        "usage: dotnet run --project examples/FewShot -c Release -- [options]\n" +
        "  --data PATH           Omniglot: a folder with images_background*.zip / images_evaluation.zip (or unpacked sets),\n" +
        "                        or one zip; default: $SHARPSHOT_DATA/omniglot, else generated glyphs\n" +
        "  --algorithm NAME      protonet | maml | fomaml | reptile | anil | metasgd (default protonet)\n" +
        "  --ways N[,M...]       classes per test episode (default 5,20 for protonet, whose embedding tests at several\n" +
        "                        way counts in one run, the first reported as test_accuracy; 5 otherwise: the MAML family\n" +
        "                        trains and tests at one N, 5 or 20)\n" +
        "  --shots K             support samples per class (default 1)\n" +
        "  --train-ways N        classes per training episode (default: 20 for protonet, --ways otherwise)\n" +
        "  --augment, --no-augment  distort every training sample a little (RandomAffine: rotation, shear, scale, shift);\n" +
        "                        default: on for protonet, off otherwise\n" +
        "  --test-alphabets A,B  alphabets held out for testing (default Japanese_(katakana),Sanskrit)\n" +
        "  --episodes N          training budget in episodes (tasks); default: the algorithm's (see README)\n" +
        "  --minutes M           training budget in minutes of wall time; training stops at whichever comes first\n" +
        "  --test-episodes N     test episodes (default 1000)\n" +
        "  --seed S              seed of weights and episodes (default 1)\n" +
        "  --out DIR             where the ONNX files and the checkpoint go (default fewshot-out); a run with the same\n" +
        "                        settings resumes from DIR's checkpoint\n" +
        "  --query-normalization support|batch\n" +
        "                        MAML family: batch norm for the queries after adaptation uses the support set's\n" +
        "                        statistics (default: each query's answer is its own) or the query batch's (transductive)\n" +
        "  --json                end the output with one JSON line of results";

    public string? DataPath { get; init; }

    public MetaAlgorithm Algorithm { get; init; } = MetaAlgorithm.ProtoNet;

    /// <summary>The --ways list as given, null when absent.</summary>
    public IReadOnlyList<int>? WaysGiven { get; init; }

    /// <summary>Classes per test episode, one evaluation each: --ways, else the algorithm's default.</summary>
    public IReadOnlyList<int> TestWays => WaysGiven ?? (Algorithm == MetaAlgorithm.ProtoNet ? [5, 20] : [5]);

    /// <summary>The first (headline) test way count; also the validation episodes' and the ONNX check's.</summary>
    public int Ways => TestWays[0];

    public int Shots { get; init; } = 1;

    public int? TrainWays { get; init; }

    /// <summary>--augment or --no-augment as given, null when absent.</summary>
    public bool? AugmentGiven { get; init; }

    /// <summary>Whether training samples get random affine distortions: as given, else for ProtoNet only (measured to help it).</summary>
    public bool Augment => AugmentGiven ?? Algorithm == MetaAlgorithm.ProtoNet;

    public IReadOnlyList<string> TestAlphabets { get; init; } = ["Japanese_(katakana)", "Sanskrit"];

    public int? Episodes { get; init; }

    public double? Minutes { get; init; }

    public int TestEpisodes { get; init; } = 1000;

    public int Seed { get; init; } = 1;

    public string OutputDirectory { get; init; } = "fewshot-out";

    public bool Json { get; init; }

    /// <summary>How batch norm normalizes the queries after adaptation (MAML family): --query-normalization support|batch.</summary>
    public QueryNormalization QueryNormalization { get; init; } = QueryNormalization.SupportStatistics;

    public bool Help { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            options = name switch
            {
                "--data" => options with { DataPath = Value(args, ref i) },
                "--algorithm" => options with { Algorithm = ParseAlgorithm(Value(args, ref i)) },
                "--ways" => options with { WaysGiven = WayList(name, Value(args, ref i)) },
                "--shots" => options with { Shots = Whole(name, Value(args, ref i), minimum: 1) },
                "--train-ways" => options with { TrainWays = Whole(name, Value(args, ref i), minimum: 2) },
                "--test-alphabets" => options with { TestAlphabets = Alphabets(Value(args, ref i)) },
                "--episodes" => options with { Episodes = Whole(name, Value(args, ref i), minimum: 1) },
                "--minutes" => options with { Minutes = Positive(name, Value(args, ref i)) },
                "--test-episodes" => options with { TestEpisodes = Whole(name, Value(args, ref i), minimum: 1) },
                "--seed" => options with { Seed = Whole(name, Value(args, ref i), minimum: 0) },
                "--out" => options with { OutputDirectory = Value(args, ref i) },
                "--json" => options with { Json = true },
                "--query-normalization" => options with { QueryNormalization = Value(args, ref i).ToLowerInvariant() switch
                {
                    "support" => QueryNormalization.SupportStatistics,
                    "batch" => QueryNormalization.QueryBatch,
                    var other => throw new ArgumentException($"--query-normalization must be support or batch; got '{other}'."),
                } },
                "--augment" => options with { AugmentGiven = true },
                "--no-augment" => options with { AugmentGiven = false },
                "-h" or "--help" => options with { Help = true },
                _ => throw new ArgumentException($"unknown option '{name}'."),
            };
        }

        return options;
    }

    private static MetaAlgorithm ParseAlgorithm(string text) => text.ToLowerInvariant() switch
    {
        "protonet" => MetaAlgorithm.ProtoNet,
        "maml" => MetaAlgorithm.Maml,
        "fomaml" => MetaAlgorithm.FoMaml,
        "reptile" => MetaAlgorithm.Reptile,
        "anil" => MetaAlgorithm.Anil,
        "metasgd" => MetaAlgorithm.MetaSgd,
        _ => throw new ArgumentException($"--algorithm must be protonet, maml, fomaml, reptile, anil or metasgd; got '{text}'."),
    };

    private static string[] Alphabets(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0 ? names : throw new ArgumentException("--test-alphabets needs at least one alphabet name.");
    }

    private static int[] WayList(string name, string text)
    {
        int[] ways = [.. text.Split(',', StringSplitOptions.TrimEntries).Select(part => Whole(name, part, minimum: 2))];
        return ways.Distinct().Count() == ways.Length ? ways : throw new ArgumentException($"{name} lists a way count twice: '{text}'.");
    }

    private static int Whole(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= minimum
            ? n
            : throw new ArgumentException($"{name} needs a whole number of at least {minimum}; got '{text}'.");

    private static double Positive(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentException($"{name} needs a positive number; got '{text}'.");

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[++i]
            : throw new ArgumentException($"{args[i]} needs a value.");
}
