using System.CommandLine;
using System.Globalization;
using SharpShot.Inference;

namespace SharpShot.Tool;

/// <summary>Arguments and options several commands share, and loading a model the way they all do.</summary>
internal static class Common
{
    public static Argument<string> ModelArgument(string description = "The .onnx file.") => new("MODEL") { Description = description };

    public static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON document instead of text." };

    public static Option<string> ProviderOption()
    {
        var option = new Option<string>("--provider")
        {
            Description = "Execution provider: cpu, cuda (needs the SharpShot.Tool.Gpu package and CUDA), or best (CUDA when it works, else the CPU, saying why).",
            DefaultValueFactory = _ => "cpu",
        };
        option.AcceptOnlyFromAmong("cpu", "cuda", "best");
        return option;
    }

    /// <summary>Loads a model with the chosen provider; a missing file is an error naming it.</summary>
    public static OnnxModel LoadModel(string path, string provider, int? threads = null)
    {
        string full = RequireFile(path, "model");
        return OnnxModel.Load(full, Options(provider, threads));
    }

    public static OnnxModelOptions Options(string provider, int? threads = null) => new()
    {
        ExecutionProvider = provider switch
        {
            "cuda" => OnnxExecutionProvider.Cuda,
            "best" => OnnxExecutionProvider.BestAvailable,
            _ => OnnxExecutionProvider.Cpu,
        },
        IntraOpThreads = threads,
    };

    /// <summary>The full path of an existing file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file (a folder is not one).</exception>
    public static string RequireFile(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException(Directory.Exists(full)
                ? $"The {what} '{full}' is a folder; expected a file."
                : $"The {what} file '{full}' does not exist.", full);
        }

        return full;
    }

    /// <summary>
    /// The full path of a model file a command reads itself (without ONNX Runtime, which has its own limit), refused
    /// beyond <see cref="OnnxModelOptions.DefaultMaxModelBytes"/> before it is read.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ToolFailure">The file is too large.</exception>
    public static string RequireModelFile(string path, string command)
    {
        string full = RequireFile(path, "model");
        long length = new FileInfo(full).Length;
        if (length > OnnxModelOptions.DefaultMaxModelBytes)
        {
            throw new ToolFailure($"The model '{full}' is {length:N0} bytes; {command} reads models of at most {OnnxModelOptions.DefaultMaxModelBytes:N0} bytes.");
        }

        return full;
    }

    /// <summary>A line saying which provider runs the model, and why it fell back when it did.</summary>
    public static string ProviderLine(OnnxModel model) =>
        model.ExecutionProviderNote is { } note ? $"provider: {model.ExecutionProvider} ({note})" : $"provider: {model.ExecutionProvider}";

    /// <summary>
    /// Adds a range check to a numeric option. It reads the option's text, not its converted value: a value that does
    /// not convert at all is System.CommandLine's own parse error (asking for the converted value would throw).
    /// </summary>
    public static void Require(Option option, Func<double, bool> valid, string message) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0
                && double.TryParse(result.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                && !valid(value))
            {
                result.AddError(message);
            }
        });

    public static string Number(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
}
