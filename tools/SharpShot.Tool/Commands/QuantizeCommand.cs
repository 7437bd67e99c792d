using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Tool;

/// <summary>
/// <c>sharpshot quantize MODEL --fp16|--int8 --out OUT.onnx [--eval DIR]</c>: float16 weights or dynamic int8, written
/// by SharpShot's ONNX writer; with <c>--eval</c>, accuracy and agreement against the float model, size and speed ratios.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create(ToolContext context)
    {
        var model = Common.ModelArgument();
        var fp16 = new Option<bool>("--fp16") { Description = "Store weights as float16 (inputs, outputs and arithmetic stay float32): about half the size." };
        var int8 = new Option<bool>("--int8") { Description = "Dynamic int8: MatMul, Gemm and Conv weights quantized now, activations at run time: about a quarter of the size." };
        var output = new Option<string>("--out") { Description = "Where to write the quantized model.", Required = true };
        var eval = new Option<string[]>("--eval") { Description = "Images or folders (class sub-folders give accuracy) to compare the two models on.", DefaultValueFactory = _ => [] };
        var json = Common.JsonOption();
        var image = new ImageOptions();
        var command = new Command("quantize", "Float16 weights or dynamic int8 for any ONNX model; with --eval, accuracy, agreement, size and speed against the float model.")
        {
            model, fp16, int8, output, eval, json,
        };
        image.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(fp16) == result.GetValue(int8))
            {
                result.AddError("Choose one of --fp16 and --int8.");
            }
        });
        command.SetAction(parsed => Run(context, parsed.GetValue(model)!, parsed.GetValue(int8), parsed.GetValue(output)!, parsed.GetValue(eval)!, parsed.GetValue(json), image.Read(parsed)));
        return command;
    }

    private static int Run(ToolContext context, string modelPath, bool int8, string outputPath, string[] evalArguments, bool asJson, (double[] Scale, double[] Offset)? preprocessing)
    {
        string source = Common.RequireModelFile(modelPath, "quantize");

        byte[] original = File.ReadAllBytes(source);
        QuantizedModel quantized = int8 ? OnnxQuantizer.ToDynamicInt8(original) : OnnxQuantizer.ToFloat16(original);
        string target = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        AtomicFile.WriteAllBytes(target, quantized.Bytes);
        double sizeRatio = (double)original.Length / quantized.Bytes.Length;
        var document = new JsonObject
        {
            ["model"] = source,
            ["output"] = target,
            ["mode"] = int8 ? "int8" : "fp16",
            ["bytes"] = original.Length,
            ["quantized_bytes"] = quantized.Bytes.Length,
            ["size_ratio"] = Math.Round(sizeRatio, 3),
            ["changed"] = quantized.Changed.Count,
            ["left_in_float"] = new JsonArray(quantized.LeftInFloat.Select(s => (JsonNode)s).ToArray()),
        };
        if (!asJson)
        {
            context.Output.WriteLine($"wrote {target}: {quantized.Bytes.Length:N0} bytes, {sizeRatio:0.00}x smaller than {original.Length:N0}; " +
                (int8 ? $"{quantized.Changed.Count} nodes in int8" : $"{quantized.Changed.Count} initializers in float16"));
            foreach (string left in quantized.LeftInFloat)
            {
                context.Output.WriteLine($"  left in float: {left}");
            }
        }

        if (evalArguments.Length > 0)
        {
            Evaluate(context, source, target, evalArguments, document, asJson, ImageOptions.With(new OnnxModelOptions(), source, preprocessing));
        }

        if (asJson)
        {
            context.Output.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return Cli.Success;
    }

    private static void Evaluate(ToolContext context, string source, string target, string[] evalArguments, JsonObject document, bool asJson, OnnxModelOptions options)
    {
        using OnnxModel reference = OnnxModel.Load(source, options);
        using OnnxModel candidate = OnnxModel.Load(target, options);
        if (!reference.SupportsFloatApi || reference.ImageInput is null)
        {
            throw new ToolFailure("--eval compares image classifiers (one image input described in the metadata, one output); this model is not one.");
        }

        var targets = ImageTargets.Expand(evalArguments);
        Func<string, float[]> Probabilities(OnnxModel m) => path => m.ToProbabilities(m.PredictImage(path));
        var a = Predictions.Run(targets, Probabilities(reference), reference.ClassLabels, 1);
        var b = Predictions.Run(targets, Probabilities(candidate), candidate.ClassLabels, 1);
        var read = a.Zip(b).Where(p => p.First.Error is null && p.Second.Error is null).ToArray();
        double agreement = read.Length == 0 ? 0 : (double)read.Count(p => p.First.Top[0].Label == p.Second.Top[0].Label) / read.Length;
        int labelled = read.Count(p => p.First.Target.Expected is not null);
        double? Accuracy(Func<(Prediction First, Prediction Second), Prediction> pick) =>
            labelled == 0 ? null : (double)read.Count(p => pick(p).Correct) / labelled;
        double? floatAccuracy = Accuracy(p => p.First), quantizedAccuracy = Accuracy(p => p.Second);
        double speedup1 = MedianMs(reference, 1) / MedianMs(candidate, 1);
        double speedup32 = MedianMs(reference, 32) / MedianMs(candidate, 32);
        document["images"] = read.Length;
        document["agreement"] = Math.Round(agreement, 5);
        document["float_accuracy"] = floatAccuracy is { } fa ? Math.Round(fa, 5) : null;
        document["quantized_accuracy"] = quantizedAccuracy is { } qa ? Math.Round(qa, 5) : null;
        document["speedup_b1"] = Math.Round(speedup1, 3);
        document["speedup_b32"] = Math.Round(speedup32, 3);
        if (!asJson)
        {
            context.Output.WriteLine($"on {read.Length:N0} images: same class for {agreement:P2}" +
                (floatAccuracy is { } f && quantizedAccuracy is { } q ? $"; accuracy {f:P2} float, {q:P2} quantized ({(q - f) * 100:+0.00;-0.00} points)" : string.Empty));
            context.Output.WriteLine($"speed (median, same process, one after the other): {speedup1:0.00}x at batch 1, {speedup32:0.00}x at batch 32 (above 1: the quantized model is faster)");
        }
    }

    /// <summary>Median milliseconds of the float path over 0.5 s (after a short warm-up) on fixed random inputs.</summary>
    private static double MedianMs(OnnxModel model, int batch)
    {
        var random = new Random(1);
        var input = new float[batch * model.InputLength];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = random.Next(256);
        }

        var output = new float[batch * model.OutputLength];
        for (int i = 0; i < 20; i++)
        {
            model.PredictBatch(input, batch, output);
        }

        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 0.5 || times.Count < 10)
        {
            long start = Stopwatch.GetTimestamp();
            model.PredictBatch(input, batch, output);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
