using System.CommandLine;
using System.Globalization;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Tool;

/// <summary>
/// How to feed images to a model whose metadata does not describe its image input (one exported by another tool):
/// <c>--scale</c>/<c>--offset</c> (model value = pixel × scale + offset, pixel 0 to 255) or <c>--mean</c>/<c>--std</c>
/// (model value = (pixel / 255 − mean) / std, as ImageNet models take), one value or one per channel; channels and
/// size come from the model's input shape [N, C, H, W].
/// </summary>
internal sealed class ImageOptions
{
    private readonly Option<string?> _scale = new("--scale") { Description = "For a model without SharpShot image metadata: model value = pixel (0-255) x scale + offset; one value or one per channel, e.g. 1/255." };
    private readonly Option<string?> _offset = new("--offset") { Description = "Added after --scale (default 0)." };
    private readonly Option<string?> _mean = new("--mean") { Description = "For a model without SharpShot image metadata: model value = (pixel / 255 - mean) / std, e.g. --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225." };
    private readonly Option<string?> _std = new("--std") { Description = "With --mean (default 1)." };

    public void AddTo(Command command)
    {
        command.Add(_scale);
        command.Add(_offset);
        command.Add(_mean);
        command.Add(_std);
        command.Validators.Add(result =>
        {
            bool affine = result.GetResult(_scale) is not null || result.GetResult(_offset) is not null;
            bool standard = result.GetResult(_mean) is not null || result.GetResult(_std) is not null;
            if (affine && standard)
            {
                result.AddError("Give --scale/--offset or --mean/--std, not both.");
            }
        });
    }

    /// <summary>What the options say, or null when none was given (the model's metadata decides).</summary>
    public (double[] Scale, double[] Offset)? Read(ParseResult parsed)
    {
        string? scale = parsed.GetValue(_scale), offset = parsed.GetValue(_offset), mean = parsed.GetValue(_mean), std = parsed.GetValue(_std);
        if (scale is null && offset is null && mean is null && std is null)
        {
            return null;
        }

        if (mean is not null || std is not null)
        {
            double[] means = Numbers(mean ?? "0", "--mean"), stds = Numbers(std ?? "1", "--std");
            if (stds.Any(s => s == 0))
            {
                throw new UsageException("--std must not be 0.");
            }

            int channels = Math.Max(means.Length, stds.Length);
            double Pick(double[] values, int c) => values[values.Length == 1 ? 0 : c];
            if (means.Length != stds.Length && means.Length != 1 && stds.Length != 1)
            {
                throw new UsageException($"--mean has {means.Length} values and --std {stds.Length}; give one value or one per channel for each.");
            }

            return (Enumerable.Range(0, channels).Select(c => 1 / (255 * Pick(stds, c))).ToArray(),
                    Enumerable.Range(0, channels).Select(c => -Pick(means, c) / Pick(stds, c)).ToArray());
        }

        return (Numbers(scale ?? "1", "--scale"), Numbers(offset ?? "0", "--offset"));
    }

    /// <summary>Options that load the model with the image contract the command line gives, checked against its input shape.</summary>
    public static OnnxModelOptions With(OnnxModelOptions options, string modelPath, (double[] Scale, double[] Offset)? given)
    {
        if (given is not { } values)
        {
            return options;
        }

        var info = OnnxModelInfo.Read(Common.RequireFile(modelPath, "model"));
        if (info.Inputs.Count != 1 || info.Inputs[0].Shape is not [_, { Value: { } c }, { Value: { } h }, { Value: { } w }] || c is not (1 or 3))
        {
            throw new ToolFailure($"Image options need one input of shape [N, 1 or 3, height, width] with fixed sizes; the model has {string.Join("; ", info.Inputs)}.");
        }

        try
        {
            return new OnnxModelOptions
            {
                ExecutionProvider = options.ExecutionProvider,
                IntraOpThreads = options.IntraOpThreads,
                ImageInput = new ImageInputContract((int)c, (int)h, (int)w, values.Scale, values.Offset, normalizedInGraph: false),
            };
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static double[] Numbers(string text, string option)
    {
        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] fraction = part.Split('/');
            if (fraction.Length is 1 or 2
                && fraction.All(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                double value = double.Parse(fraction[0], CultureInfo.InvariantCulture) / (fraction.Length == 2 ? double.Parse(fraction[1], CultureInfo.InvariantCulture) : 1);
                if (double.IsFinite(value))
                {
                    values.Add(value);
                    continue;
                }
            }

            throw new UsageException($"{option} '{text}': '{part}' is not a number (e.g. 0.5 or 1/255).");
        }

        return [.. values];
    }
}
