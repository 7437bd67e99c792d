using System.CommandLine;
using System.Text.Json;
using SharpShot.Inference;

namespace SharpShot.Tool;

/// <summary><c>sharpshot predict MODEL FILE|DIR...</c>: one line per image with its top classes; accuracy over class sub-folders.</summary>
internal static class PredictCommand
{
    public static Command Create(ToolContext context)
    {
        var model = Common.ModelArgument("An image classifier (.onnx) whose metadata describes its image input, as SharpShot's exports do.");
        var images = new Argument<string[]>("FILE|DIR") { Description = "Image files (PNG, JPEG, BMP), or folders of them or of class sub-folders.", Arity = ArgumentArity.OneOrMore };
        var top = TopOption();
        var provider = Common.ProviderOption();
        var json = Common.JsonOption();
        var image = new ImageOptions();
        var command = new Command("predict", "Classify images: one line per image (file, top label, probability); a folder of class sub-folders also gives the accuracy.")
        {
            model, images, top, provider, json,
        };
        image.AddTo(command);
        command.SetAction(parsed => Run(context, parsed.GetValue(model)!, parsed.GetValue(images)!, parsed.GetValue(top), parsed.GetValue(provider)!, parsed.GetValue(json), image.Read(parsed)));
        return command;
    }

    public static Option<int> TopOption()
    {
        var top = new Option<int>("--top") { Description = "How many classes to print per image (default 1).", DefaultValueFactory = _ => 1 };
        Common.Require(top, v => v >= 1, "--top must be at least 1.");
        return top;
    }

    private static int Run(ToolContext context, string modelPath, string[] imageArguments, int top, string provider, bool asJson, (double[] Scale, double[] Offset)? preprocessing)
    {
        using OnnxModel model = OnnxModel.Load(Common.RequireFile(modelPath, "model"), ImageOptions.With(Common.Options(provider), modelPath, preprocessing));
        if (!model.SupportsFloatApi)
        {
            throw new ToolFailure($"predict runs image classifiers with one image input and one output; this model has inputs {string.Join("; ", model.Inputs)} and outputs {string.Join("; ", model.Outputs)}.");
        }

        if (model.ImageInput is null)
        {
            throw new ToolFailure($"The model '{Path.GetFullPath(modelPath)}' does not say what its input images look like (no 'sharpshot.input_image' metadata, nor an image input shape with a scale); say how with --scale/--offset or --mean/--std.");
        }

        var targets = ImageTargets.Expand(imageArguments);
        if (!asJson)
        {
            context.Error.WriteLine(Common.ProviderLine(model));
        }

        var predictions = Predictions.Run(
            targets,
            path => model.ToProbabilities(model.PredictImage(path)),
            model.ClassLabels,
            top);
        if (asJson)
        {
            var document = Predictions.ToJson(predictions);
            document["model"] = Path.GetFullPath(modelPath);
            context.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return predictions.Any(p => p.Error is not null) ? Cli.Failed : Cli.Success;
        }

        return Predictions.Report(context, predictions);
    }
}
