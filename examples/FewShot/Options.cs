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
        "  --ways N              classes per test episode (default 5; the MAML family trains at the same N: 5 or 20)\n" +
        "  --shots K             support samples per class (default 1)\n" +
        "  --train-ways N        classes per training episode (default: 20 for protonet, --ways otherwise)\n" +
        "  --test-alphabets A,B  alphabets held out for testing (default Japanese_(katakana),Sanskrit)\n" +
        "  --episodes N          training budget in episodes (tasks); default: the algorithm's (see README)\n" +
        "  --minutes M           training budget in minutes of wall time; training stops at whichever comes first\n" +
        "  --test-episodes N     test episodes (default 1000)\n" +
        "  --seed S              seed of weights and episodes (default 1)\n" +
        "  --out DIR             where the ONNX files and the checkpoint go (default fewshot-out); a run with the same\n" +
        "                        settings resumes from DIR's checkpoint\n" +
        "  --json                end the output with one JSON line of results";

    public string? DataPath { get; init; }

    public MetaAlgorithm Algorithm { get; init; } = MetaAlgorithm.ProtoNet;

    public int Ways { get; init; } = 5;

    public int Shots { get; init; } = 1;

    public int? TrainWays { get; init; }

    public IReadOnlyList<string> TestAlphabets { get; init; } = ["Japanese_(katakana)", "Sanskrit"];

    public int? Episodes { get; init; }

    public double? Minutes { get; init; }

    public int TestEpisodes { get; init; } = 1000;

    public int Seed { get; init; } = 1;

    public string OutputDirectory { get; init; } = "fewshot-out";

    public bool Json { get; init; }

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
                "--ways" => options with { Ways = Whole(name, Value(args, ref i), minimum: 2) },
                "--shots" => options with { Shots = Whole(name, Value(args, ref i), minimum: 1) },
                "--train-ways" => options with { TrainWays = Whole(name, Value(args, ref i), minimum: 2) },
                "--test-alphabets" => options with { TestAlphabets = Alphabets(Value(args, ref i)) },
                "--episodes" => options with { Episodes = Whole(name, Value(args, ref i), minimum: 1) },
                "--minutes" => options with { Minutes = Positive(name, Value(args, ref i)) },
                "--test-episodes" => options with { TestEpisodes = Whole(name, Value(args, ref i), minimum: 1) },
                "--seed" => options with { Seed = Whole(name, Value(args, ref i), minimum: 0) },
                "--out" => options with { OutputDirectory = Value(args, ref i) },
                "--json" => options with { Json = true },
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
