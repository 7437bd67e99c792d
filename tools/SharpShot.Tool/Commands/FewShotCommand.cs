using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpShot.Inference;

namespace SharpShot.Tool;

/// <summary>
/// <c>sharpshot fewshot EMBEDDING --support DIR [--query FILE|DIR...] [--export OUT.onnx]</c>: fits prototypes on a
/// folder of class sub-folders, classifies queries, and optionally writes the one-file adapted classifier.
/// </summary>
internal static class FewShotCommand
{
    public static Command Create(ToolContext context)
    {
        var embedding = Common.ModelArgument("A few-shot embedding (.onnx), e.g. the embedding.onnx examples/FewShot exports.");
        var support = new Option<string>("--support") { Description = "A folder of class sub-folders: support/<class>/<image>.", Required = true };
        var query = new Option<string[]>("--query") { Description = "Images, or folders of them or of class sub-folders (then the accuracy is printed). Repeatable.", DefaultValueFactory = _ => [] };
        var export = new Option<string?>("--export") { Description = "Write the adapted classifier (embedding + prototypes, one .onnx file) here." };
        var top = PredictCommand.TopOption();
        var provider = Common.ProviderOption();
        var json = Common.JsonOption();
        var image = new ImageOptions();
        var command = new Command("fewshot", "Fit a few-shot classifier on a folder of class sub-folders, classify queries, optionally export the adapted classifier.")
        {
            embedding, support, query, export, top, provider, json,
        };
        image.AddTo(command);
        command.SetAction(parsed => Run(
            context, parsed.GetValue(embedding)!, parsed.GetValue(support)!, parsed.GetValue(query)!, parsed.GetValue(export), parsed.GetValue(top), parsed.GetValue(provider)!, parsed.GetValue(json), image.Read(parsed)));
        return command;
    }

    private static int Run(
        ToolContext context, string embeddingPath, string supportFolder, string[] queries, string? exportPath, int top, string provider, bool asJson, (double[] Scale, double[] Offset)? preprocessing)
    {
        using var classifier = FewShotClassifier.Load(Common.RequireFile(embeddingPath, "embedding"), ImageOptions.With(Common.Options(provider), embeddingPath, preprocessing));
        if (classifier.ImageInput is null)
        {
            throw new ToolFailure($"The embedding '{Path.GetFullPath(embeddingPath)}' does not say what its input images look like (no 'sharpshot.input_image' metadata); say how with --scale/--offset or --mean/--std.");
        }

        int supportImages = classifier.FitImageFolder(supportFolder);
        var document = new JsonObject
        {
            ["embedding"] = Path.GetFullPath(embeddingPath),
            ["support_images"] = supportImages,
            ["classes"] = new JsonArray(classifier.Classes.Select(c => (JsonNode)c).ToArray()),
        };
        if (!asJson)
        {
            context.Output.WriteLine($"fitted {classifier.ClassCount} classes on {supportImages} support images: {string.Join(", ", classifier.Classes)}");
        }

        int code = Cli.Success;
        if (queries.Length > 0)
        {
            var predictions = Predictions.Run(ImageTargets.Expand(queries), path => classifier.PredictProbabilities(classifier.ImageToInput(path)), classifier.Classes, top);
            if (asJson)
            {
                foreach (var (key, value) in Predictions.ToJson(predictions).ToArray())
                {
                    document[key] = value?.DeepClone();
                }

                code = predictions.Any(p => p.Error is not null) ? Cli.Failed : Cli.Success;
            }
            else
            {
                code = Predictions.Report(context, predictions);
            }
        }

        if (exportPath is not null)
        {
            string full = Path.GetFullPath(exportPath);
            classifier.ExportAdapted(full);
            document["exported"] = full;
            if (!asJson)
            {
                context.Output.WriteLine($"wrote {full} ({new FileInfo(full).Length:N0} bytes): the embedding and the {classifier.ClassCount} prototypes, class probabilities out");
            }
        }

        if (asJson)
        {
            context.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return code;
    }
}
