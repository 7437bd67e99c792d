using System.CommandLine;
using SharpShot.Imaging;
using SharpShot.Inference;
using SharpShot.Onnx;
using Spectre.Console;

namespace SharpShot.Tool;

/// <summary>
/// The <c>sharpshot</c> command line: the commands, parsing, and the exit codes — 0 done, 1 failed (a file that is
/// not a model or an image, a model ONNX Runtime rejects, ...), 2 usage (an unknown option, a bad value). Expected
/// errors print one <c>error:</c> line naming the file and what was wrong, never a stack trace.
/// </summary>
internal static class Cli
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>Runs the command line <paramref name="args"/>, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive = false)
    {
        var context = new ToolContext(output, error, interactive);
        var root = new RootCommand("sharpshot: inspect, benchmark and run ONNX models; classify images; fit few-shot classifiers.");
        foreach (Command command in new[]
                 {
                     InspectCommand.Create(context), BenchCommand.Create(context), PredictCommand.Create(context),
                     FewShotCommand.Create(context), QuantizeCommand.Create(context), TritonCommand.Create(context),
                 })
        {
            root.Add(command);
        }

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }

            string command = parsed.CommandResult.Command == root ? string.Empty : parsed.CommandResult.Command.Name + " ";
            error.WriteLine($"See 'sharpshot {command}--help'.");
            return Usage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return Usage;
        }
        catch (Exception e) when (IsExpected(e))
        {
            error.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }

    /// <summary>Errors a user can cause with a file or a value: reported as one line, exit code 1.</summary>
    private static bool IsExpected(Exception e) => e is OnnxModelLoadException or OnnxFormatException or ImageDecodeException
        or LimitExceededException or ShapeMismatchException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or IOException or InvalidDataException or ToolFailure or InvalidOperationException or ArgumentException;
}

/// <summary>Where a command writes, and how.</summary>
internal sealed class ToolContext(TextWriter output, TextWriter error, bool interactive)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Tables and progress; plain text (no colours, no cursor movement) when not writing to a terminal.</summary>
    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });

    public bool Interactive { get; } = interactive;
}

/// <summary>A command line that parses but asks for something impossible (a missing <c>--shape</c>, say): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A command that ran and failed for a reason it states: exit code 1.</summary>
internal sealed class ToolFailure(string message) : Exception(message);
