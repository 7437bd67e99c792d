using System.Text;
using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>
/// <see cref="FewShotClassifier.ExportAdapted"/> stores external tensor data inline, and must read no file outside the
/// embedding model's folder to do so, whatever the model names: it is untrusted input.
/// </summary>
public class FewShotExportExternalDataTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("SECRET-5f0c2b9e-must-never-be-exported");

    private static readonly float[] HandSupport = [0f, 0f, 5f, 0f, 1f, 0f, 2f, 0f, 0f, 0f, 2f, -1f, 3f, 1.5f, 0f];

    [Theory]
    [InlineData("parent")]
    [InlineData("absolute")]
    [InlineData("file link")]
    [InlineData("folder link")]
    public void An_unused_constant_naming_a_file_outside_the_folder_refuses_the_export_and_leaks_nothing(string escape)
    {
        using var temp = new TempFolder();
        var location = HostileLocation(temp, escape);
        var embeddingPath = FewShotModels.LinearWithUnusedExternalConstant(temp.File("model/"), location, Secret.Length);
        // ONNX Runtime drops the unused node before it would look at the location, so the model loads and runs.
        using var classifier = FewShotClassifier.Load(embeddingPath);
        classifier.Fit(HandSupport, ["a", "b", "a", "b", "b"]);
        var adaptedPath = temp.File("out/adapted.onnx");

        var toFile = Assert.Throws<OnnxFormatException>(() => classifier.ExportAdapted(adaptedPath));
        var toBytes = Assert.Throws<OnnxFormatException>(() => classifier.ExportAdaptedBytes());

        Assert.Contains($"'{location}'", toFile.Message);
        Assert.Contains("attribute 'value'", toFile.Message);
        Assert.Equal(toFile.Message, toBytes.Message);
        Assert.Empty(Directory.GetFiles(temp.File("out/")));
        var secretText = Encoding.ASCII.GetString(Secret);
        Assert.DoesNotContain(secretText, toFile.ToString());
        Assert.DoesNotContain(secretText, toBytes.ToString());
        Assert.All(WrittenFiles(temp), file => Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(Secret) < 0, $"{file} holds the secret."));
    }

    [Fact]
    public void A_classifier_loaded_from_bytes_cannot_inline_external_data_and_says_so()
    {
        using var temp = new TempFolder();
        var embeddingPath = FewShotModels.LinearWithUnusedExternalConstant(temp.Path, "constant.bin", 4);
        using var classifier = FewShotClassifier.Load(File.ReadAllBytes(embeddingPath));
        classifier.Fit(HandSupport, ["a", "b", "a", "b", "b"]);

        var e = Assert.Throws<NotSupportedException>(() => classifier.ExportAdaptedBytes());

        Assert.Contains("'constant.bin'", e.Message);
        Assert.Contains("file's path instead of its bytes", e.Message);
    }

    /// <summary>
    /// Writes the secret next to the folder <c>model/</c> (and into <c>outside/</c>) and returns a location, relative
    /// to <c>model/</c>, that reaches it in the given way.
    /// </summary>
    private static string HostileLocation(TempFolder temp, string escape)
    {
        var secret = temp.WriteBytes("secret.bin", Secret);
        temp.WriteBytes("outside/secret.bin", Secret);
        Directory.CreateDirectory(temp.File("model/"));
        switch (escape)
        {
            case "parent":
                return "../secret.bin";
            case "absolute":
                return secret;
            case "file link":
                File.CreateSymbolicLink(temp.File("model/weights.bin"), secret);
                return "weights.bin";
            case "folder link":
                Directory.CreateSymbolicLink(temp.File("model/data"), temp.File("outside/"));
                return "data/secret.bin";
            default:
                throw new ArgumentOutOfRangeException(nameof(escape), escape, "Unknown case.");
        }
    }

    /// <summary>Every regular file in the folder but the secret's own two copies (links are not followed).</summary>
    private static IEnumerable<string> WrittenFiles(TempFolder temp)
    {
        var secrets = new[] { temp.File("secret.bin"), temp.File("outside/secret.bin") };
        return Directory.EnumerateFiles(temp.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(file => !secrets.Contains(file));
    }
}
