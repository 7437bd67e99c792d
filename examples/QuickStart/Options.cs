using System.Globalization;

namespace QuickStart;

/// <summary>Command-line options of the QuickStart example.</summary>
internal sealed record Options(string? DataDirectory, int? Epochs, string OutputDirectory, bool Json, bool Help = false)
{
    public const string Usage =
        "usage: dotnet run --project examples/QuickStart -c Release -- [--data DIR] [--epochs N] [--out DIR] [--json] [--help]\n" +
        "  --data DIR    folder with the Fashion-MNIST IDX files (raw or .gz); default: $SHARPSHOT_DATA, then\n" +
        "                /usr/share/datasets/fashion-mnist, else generated data\n" +
        "  --epochs N    training epochs (default: the model's [Train], 10)\n" +
        "  --out DIR     where model.onnx is written (default: quickstart-out)\n" +
        "  --json        end the output with one JSON line of results";

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static Options Parse(string[] args)
    {
        string? data = null;
        int? epochs = null;
        string output = "quickstart-out";
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data":
                    data = Value(args, ref i);
                    break;
                case "--epochs":
                    string text = Value(args, ref i);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0)
                    {
                        throw new ArgumentException($"--epochs needs a positive whole number; got '{text}'.");
                    }

                    epochs = n;
                    break;
                case "--out":
                    output = Value(args, ref i);
                    break;
                case "--json":
                    json = true;
                    break;
                case "-h" or "--help":
                    return new Options(data, epochs, output, json, Help: true);
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'.");
            }
        }

        return new Options(data, epochs, output, json);
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{args[i]} needs a value.");
        }

        return args[++i];
    }
}
