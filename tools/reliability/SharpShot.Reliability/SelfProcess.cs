using System.Diagnostics;
using System.Reflection;

namespace SharpShot.Reliability;

/// <summary>Starts this program again as a child process (<c>dotnet SharpShot.Reliability.dll …</c> or the app host).</summary>
internal static class SelfProcess
{
    /// <summary>Starts the child with <paramref name="arguments"/> (and <paramref name="environment"/> variables set), standard output and error redirected.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The program's own path is unknown.");
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {host}.");
    }
}
