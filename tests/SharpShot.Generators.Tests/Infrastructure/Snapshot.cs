using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace SharpShot.Generators.Tests.Infrastructure;

/// <summary>
/// Checked-in snapshot files: Snapshots/&lt;name&gt;.verified.cs holds the expected text. On a mismatch
/// the actual text goes to &lt;name&gt;.received.cs and the test fails with a line diff;
/// SHARPSHOT_ACCEPT_SNAPSHOTS=1 overwrites the verified file instead.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "SHARPSHOT_ACCEPT_SNAPSHOTS";

    public static void Verify(string name, string actual)
    {
        string directory = Path.Combine(GeneratorHarness.ProjectDirectory, "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.cs");
        string receivedPath = Path.Combine(directory, name + ".received.cs");
        actual = Normalize(actual);

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Delete(receivedPath);
            return;
        }

        string? expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        string reason = expected is null ? $"No snapshot {verifiedPath} yet." : $"Snapshot {name} differs ('-' verified, '+' received):\n{Diff(expected, actual)}";
        throw new XunitException($"{reason}\nReceived: {receivedPath}\nSet {AcceptVariable}=1 and rerun to accept.");
    }

    public static string Diff(string expected, string actual)
    {
        var builder = new StringBuilder();
        foreach (DiffPiece line in InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false).Lines)
        {
            string prefix = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            if (line.Type != ChangeType.Unchanged)
            {
                builder.Append(line.Position is { } position ? $"{position,4} " : "     ").Append(prefix).AppendLine(line.Text);
            }
        }

        return builder.ToString();
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");
}
