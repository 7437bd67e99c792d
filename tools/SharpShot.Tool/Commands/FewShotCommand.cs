using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpShot.Inference;

namespace SharpShot.Tool;

/// <summary>
/// <c>sharpshot fewshot MODEL --support DIR [--query FILE|DIR...] [--export OUT.onnx]</c>: with an embedding, fits
/// prototypes on a folder of class sub-folders, classifies queries, and optionally writes the one-file adapted classifier;
/// with an adaptive model (a MAML-family learner's <c>adaptive.onnx</c>), the graph adapts to the support folder and
/// classifies the queries, all in ONNX Runtime.
/// </summary>
internal static class FewShotCommand
{
    public static Command Create(ToolContext context)
    {
        var embedding = Common.ModelArgument("A few-shot embedding (.onnx), e.g. the embedding.onnx examples/FewShot exports, or an adaptive model (adaptive.onnx: MAML-family adaptation inside the graph).");
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
        if (Onnx.OnnxModelInfo.Read(Common.RequireFile(embeddingPath, "model")).Metadata.ContainsKey(Onnx.SharpShotMetadata.Adaptation))
        {
            return exportPath is null
                ? RunAdaptive(context, embeddingPath, supportFolder, queries, top, provider, asJson)
                : throw new UsageException("--export writes an embedding's prototypes; an adaptive model adapts inside its graph on every run, so there is nothing to export.");
        }

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
            code = asJson ? Predictions.AddTo(document, predictions) : Predictions.Report(context, predictions);
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

    /// <summary>
    /// An adaptive model: the support folder is the task; all query images go through the graph in one call (batch
    /// normalization uses the queries' statistics, as the learner does), the adaptation running inside it.
    /// </summary>
    private static int RunAdaptive(ToolContext context, string modelPath, string supportFolder, string[] queries, int top, string provider, bool asJson)
    {
        using var classifier = AdaptiveClassifier.Load(modelPath, Common.Options(provider));
        if (classifier.ImageInput is null)
        {
            throw new ToolFailure($"The adaptive model '{Path.GetFullPath(modelPath)}' does not say what its input images look like (no 'sharpshot.input_image' metadata).");
        }

        int supportImages = classifier.FitImageFolder(supportFolder);
        var document = new JsonObject
        {
            ["model"] = Path.GetFullPath(modelPath),
            ["adaptation"] = $"{classifier.Algorithm}, {classifier.InnerSteps} inner steps in the graph",
            ["support_images"] = supportImages,
            ["classes"] = new JsonArray(classifier.Classes.Select(c => (JsonNode)c).ToArray()),
        };
        if (!asJson)
        {
            context.Output.WriteLine($"{classifier.Algorithm} adapts inside the graph ({classifier.InnerSteps} steps) to {classifier.Classes.Count} classes from {supportImages} support images: {string.Join(", ", classifier.Classes)}");
        }

        if (queries.Length == 0)
        {
            if (asJson)
            {
                context.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }

            return Cli.Success;
        }

        // Read every query first (one graph run for all of them); an unreadable image is reported alone.
        IReadOnlyList<ImageTarget> targets = ImageTargets.Expand(queries);
        var samples = new Dictionary<string, float[]>();
        foreach (ImageTarget target in targets)
        {
            try
            {
                samples[target.Path] = classifier.ImageToInput(target.Path);
            }
            catch (Exception e) when (e is Imaging.ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                // Predictions.Run records it when it asks for this path.
            }
        }

        float[] all = samples.Count == 0 ? [] : classifier.PredictProbabilities(samples.Values.SelectMany(v => v).ToArray());
        var rowOf = samples.Keys.Select((path, row) => (path, row)).ToDictionary(p => p.path, p => p.row);
        var predictions = Predictions.Run(targets,
            path => rowOf.TryGetValue(path, out int row) ? all.AsSpan(row * classifier.Ways, classifier.Ways).ToArray() : classifier.ImageToInput(path),
            classifier.Classes, top);
        if (!asJson)
        {
            return Predictions.Report(context, predictions);
        }

        int code = Predictions.AddTo(document, predictions);
        context.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return code;
    }
}
