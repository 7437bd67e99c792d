using System.Globalization;
using System.Text.Json.Nodes;
using SharpShot.Imaging;

namespace SharpShot.Tool;

/// <summary>One image's answer: the top classes with their probabilities, or why it could not be read.</summary>
internal sealed record Prediction(ImageTarget Target, IReadOnlyList<(string Label, float Probability)> Top, string? Error)
{
    public bool Correct => Error is null && Target.Expected is not null && Top.Count > 0 && Predictions.IsFolderOf(Target.Expected, Top[0].Label);
}

/// <summary>Runs a classifier over images and reports them the same way for <c>predict</c> and <c>fewshot</c>.</summary>
internal static class Predictions
{
    /// <summary>Classifies each image; an image that cannot be read is recorded with its error and the rest go on.</summary>
    public static List<Prediction> Run(IReadOnlyList<ImageTarget> targets, Func<string, float[]> probabilities, IReadOnlyList<string> labels, int top)
    {
        var results = new List<Prediction>(targets.Count);
        foreach (ImageTarget target in targets)
        {
            try
            {
                float[] p = probabilities(target.Path);
                var ranked = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).Take(top)
                    .Select(i => (i < labels.Count ? labels[i] : i.ToString(CultureInfo.InvariantCulture), p[i])).ToArray();
                results.Add(new Prediction(target, ranked, null));
            }
            catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                results.Add(new Prediction(target, [], e.Message));
            }
        }

        return results;
    }

    /// <summary>
    /// Whether a class sub-folder's name stands for a label: the same text, or the label with each character a file
    /// name cannot hold (such as '/', as in Fashion-MNIST's "T-shirt/top") written as '-'.
    /// </summary>
    public static bool IsFolderOf(string folder, string label) =>
        folder == label || folder == string.Concat(label.Select(c => c is '/' or '\\' || InvalidNameChars.Contains(c) ? '-' : c));

    private static readonly HashSet<char> InvalidNameChars = [.. Path.GetInvalidFileNameChars()];

    /// <summary>Writes one tab-separated line per image (file, label, probability, ...), errors to the error writer, and the accuracy over labelled images; returns the exit code.</summary>
    public static int Report(ToolContext context, IReadOnlyList<Prediction> predictions)
    {
        foreach (Prediction p in predictions)
        {
            if (p.Error is not null)
            {
                context.Error.WriteLine($"error: {p.Error}");
                continue;
            }

            context.Output.WriteLine(string.Join('\t', p.Top.Select(t => $"{t.Label}\t{t.Probability.ToString("0.0000", CultureInfo.InvariantCulture)}").Prepend(p.Target.Path)));
        }

        var (labelled, correct, failed) = Counts(predictions);
        if (labelled > 0)
        {
            context.Output.WriteLine($"accuracy: {(double)correct / labelled:P2} ({correct:N0} of {labelled:N0} images in class folders)");
        }

        if (failed > 0)
        {
            context.Error.WriteLine($"{failed:N0} of {predictions.Count:N0} images could not be read.");
            return Cli.Failed;
        }

        return Cli.Success;
    }

    /// <summary>Adds the predictions' JSON (<see cref="ToJson"/>) to <paramref name="document"/>; returns the exit code (failed when an image could not be read).</summary>
    public static int AddTo(JsonObject document, IReadOnlyList<Prediction> predictions)
    {
        foreach (var (key, value) in ToJson(predictions).ToArray())
        {
            document[key] = value?.DeepClone();
        }

        return predictions.Any(p => p.Error is not null) ? Cli.Failed : Cli.Success;
    }

    public static JsonObject ToJson(IReadOnlyList<Prediction> predictions)
    {
        var (labelled, correct, failed) = Counts(predictions);
        return new JsonObject
        {
            ["predictions"] = new JsonArray(predictions.Select(p => (JsonNode)new JsonObject
            {
                ["file"] = p.Target.Path,
                ["expected"] = p.Target.Expected,
                ["top"] = new JsonArray(p.Top.Select(t => (JsonNode)new JsonObject { ["label"] = t.Label, ["probability"] = Math.Round(t.Probability, 6) }).ToArray()),
                ["error"] = p.Error,
            }).ToArray()),
            ["labelled"] = labelled,
            ["correct"] = correct,
            ["accuracy"] = labelled > 0 ? Math.Round((double)correct / labelled, 6) : null,
            ["failed"] = failed,
        };
    }

    private static (int Labelled, int Correct, int Failed) Counts(IReadOnlyList<Prediction> predictions) =>
        (predictions.Count(p => p.Target.Expected is not null), predictions.Count(p => p.Correct), predictions.Count(p => p.Error is not null));
}
