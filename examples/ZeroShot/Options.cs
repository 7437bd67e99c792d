using System.Globalization;

namespace ZeroShotExample;

/// <summary>Command-line options of the ZeroShot example.</summary>
internal sealed record Options
{
    public const string Usage =
        "usage: dotnet run --project examples/ZeroShot -c Release -- [options]\n" +
        "  --data PATH        Fashion-MNIST: a folder with the four IDX files (default: $SHARPSHOT_DATA/fashion-mnist,\n" +
        "                     then the system datasets folder)\n" +
        "  --attributes PATH  the class descriptions, a CSV 'class,<attribute>,…' (default: fashion-attributes.csv beside the program)\n" +
        "  --unseen A,B       classes held out of training, fitted from their descriptions only (default Coat,Dress)\n" +
        "  --steps N          meta-training steps, one 8-way 5-shot episode each (default 3000)\n" +
        "  --minutes M        wall-time budget of training (default 10); a later run continues from the checkpoint\n" +
        "  --seed S           seed of weights, episodes and one-shot picks (default 1)\n" +
        "  --out DIR          where the ONNX files and the checkpoint go (default zeroshot-out)\n" +
        "  --json             end the output with one JSON line of results";

    public string? DataPath { get; init; }

    public string AttributesPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "fashion-attributes.csv");

    public IReadOnlyList<string> Unseen { get; init; } = ["Coat", "Dress"];

    public int Steps { get; init; } = 3000;

    public double Minutes { get; init; } = 10;

    public int Seed { get; init; } = 1;

    public string OutputDirectory { get; init; } = "zeroshot-out";

    public bool Json { get; init; }

    public bool Help { get; init; }

    /// <exception cref="ArgumentException">An unknown option or a bad value; the message names it.</exception>
    public static Options Parse(IReadOnlyList<string> args)
    {
        var options = new Options();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--data" => options with { DataPath = Value() },
                "--attributes" => options with { AttributesPath = Value() },
                "--unseen" => options with { Unseen = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray() },
                "--steps" => options with { Steps = Positive(name, Value()) },
                "--minutes" => options with { Minutes = PositiveNumber(name, Value()) },
                "--seed" => options with { Seed = int.TryParse(Value(), CultureInfo.InvariantCulture, out int seed) ? seed : throw new ArgumentException($"{name} needs an integer.") },
                "--out" => options with { OutputDirectory = Value() },
                "--json" => options with { Json = true },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"unknown option '{name}'."),
            };
        }

        return options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : throw new ArgumentException($"{name} needs a positive integer; got '{text}'.");

    private static double PositiveNumber(string name, string text) =>
        double.TryParse(text, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentException($"{name} needs a positive number; got '{text}'.");
}
