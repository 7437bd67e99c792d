using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpShot.Inference;

namespace SharpShot.Tool;

/// <summary>
/// <c>sharpshot fewshot MODEL --support DIR [--descriptions CSV] [--query FILE|DIR...] [--export OUT.onnx]</c>: with an
/// embedding, fits prototypes on a folder of class sub-folders and/or on class descriptions (zero-shot, through the
/// attribute map exported beside a zero-shot embedding), classifies queries, and optionally writes the one-file adapted classifier;
/// with an adaptive model (a MAML-family learner's <c>adaptive.onnx</c>), the graph adapts to the support folder and
/// classifies the queries, all in ONNX Runtime.
/// </summary>
internal static class FewShotCommand
{
    public static Command Create(ToolContext context)
    {
        var embedding = Common.ModelArgument("A few-shot embedding (.onnx), e.g. the embedding.onnx examples/FewShot exports, or an adaptive model (adaptive.onnx: MAML-family adaptation inside the graph).");
        var support = new Option<string?>("--support") { Description = "A folder of class sub-folders: support/<class>/<image>." };
        var descriptions = new Option<string?>("--descriptions")
        {
            Description = "Classes described by attributes (zero-shot; an embedding exported with its attribute map): a CSV 'class,<attribute>,…' with one row per class. With --support, a description counts as one more example of its class.",
        };
        var query = new Option<string[]>("--query") { Description = "Images, or folders of them or of class sub-folders (then the accuracy is printed). Repeatable.", DefaultValueFactory = _ => [] };
        var export = new Option<string?>("--export") { Description = "Write the adapted classifier (embedding + prototypes, one .onnx file) here." };
        var top = PredictCommand.TopOption();
        var provider = Common.ProviderOption();
        var json = Common.JsonOption();
        var image = new ImageOptions();
        var command = new Command("fewshot", "Fit a few-shot classifier on a folder of class sub-folders, classify queries, optionally export the adapted classifier.")
        {
            embedding, support, descriptions, query, export, top, provider, json,
        };
        image.AddTo(command);
        command.SetAction(parsed => Run(
            context, parsed.GetValue(embedding)!, parsed.GetValue(support), parsed.GetValue(descriptions), parsed.GetValue(query)!, parsed.GetValue(export), parsed.GetValue(top),
            parsed.GetValue(provider)!, parsed.GetValue(json), image.Read(parsed)));
        return command;
    }

    private static int Run(
        ToolContext context, string embeddingPath, string? supportFolder, string? descriptionsPath, string[] queries, string? exportPath, int top, string provider, bool asJson,
        (double[] Scale, double[] Offset)? preprocessing)
    {
        if (Onnx.OnnxModelInfo.Read(Common.RequireFile(embeddingPath, "model")).Metadata.ContainsKey(Onnx.SharpShotMetadata.Adaptation))
        {
            return exportPath is not null
                ? throw new UsageException("--export writes an embedding's prototypes; an adaptive model adapts inside its graph on every run, so there is nothing to export.")
                : descriptionsPath is not null
                ? throw new UsageException("--descriptions fits classes through a zero-shot embedding's attribute map; an adaptive model adapts to images only (--support).")
                : supportFolder is null
                ? throw new UsageException("An adaptive model adapts to a task: give its images with --support.")
                : RunAdaptive(context, embeddingPath, supportFolder, queries, top, provider, asJson);
        }

        if (supportFolder is null && descriptionsPath is null)
        {
            throw new UsageException("Give the classes: --support (a folder of class sub-folders), --descriptions (a CSV of class attributes, zero-shot), or both.");
        }

        using var classifier = FewShotClassifier.Load(Common.RequireFile(embeddingPath, "embedding"), ImageOptions.With(Common.Options(provider), embeddingPath, preprocessing));
        if (classifier.ImageInput is null && (supportFolder is not null || queries.Length > 0))
        {
            throw new ToolFailure($"The embedding '{Path.GetFullPath(embeddingPath)}' does not say what its input images look like (no 'sharpshot.input_image' metadata); say how with --scale/--offset or --mean/--std.");
        }

        int supportImages = supportFolder is null ? 0 : classifier.FitImageFolder(supportFolder);
        int described = descriptionsPath is null ? 0 : FitDescriptions(classifier, embeddingPath, descriptionsPath, added: supportFolder is not null);
        var document = new JsonObject
        {
            ["embedding"] = Path.GetFullPath(embeddingPath),
            ["support_images"] = supportImages,
            ["descriptions"] = described,
            ["classes"] = new JsonArray(classifier.Classes.Select(c => (JsonNode)c).ToArray()),
        };
        if (!asJson)
        {
            string from = (supportFolder, descriptionsPath) switch
            {
                (not null, not null) => $"{supportImages} support images and {described} descriptions",
                (not null, null) => $"{supportImages} support images",
                _ => $"{described} descriptions (zero-shot)",
            };
            context.Output.WriteLine($"fitted {classifier.ClassCount} classes on {from}: {string.Join(", ", classifier.Classes)}");
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
    /// Fits (or, after a support folder, adds) the classes the CSV at <paramref name="path"/> describes, its columns matched to
    /// the model's attributes by name; returns the number of descriptions.
    /// </summary>
    private static int FitDescriptions(FewShotClassifier classifier, string embeddingPath, string path, bool added)
    {
        if (!classifier.SupportsDescriptions)
        {
            throw new ToolFailure($"The embedding '{Path.GetFullPath(embeddingPath)}' cannot fit classes from descriptions: it names no attribute map " +
                "(a zero-shot MetaLearner exports one beside its embedding, <name>.attributes.onnx).");
        }

        var table = Onnx.ClassDescriptionTable.Read(path);
        float[] values = table.ValuesFor(classifier.AttributeNames);
        if (added)
        {
            classifier.AddDescriptions(values, table.ClassNames);
        }
        else
        {
            classifier.FitDescriptions(values, table.ClassNames);
        }

        return table.ClassNames.Count;
    }

    /// <summary>
    /// An adaptive model: the support folder is the task; all query images go through the graph in one call, the
    /// adaptation running inside it (its batch normalization as the learner was exported with: the support set's
    /// statistics by default, so a query's answer does not depend on the others; the queries' own when transductive).
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
