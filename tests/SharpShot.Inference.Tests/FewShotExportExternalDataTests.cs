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
    public void An_unused_constant_naming_a_file_outside_the_folder_is_refused_at_load_and_leaks_nothing(string escape)
    {
        using var temp = new TempFolder();
        var location = HostileLocation(temp, escape);
        var embeddingPath = FewShotModels.LinearWithUnusedExternalConstant(temp.File("model/"), location, Secret.Length);

        // ONNX Runtime would drop the unused node and load the model; the host checks every location first, so an
        // export of the adapted classifier can never reach the file.
        var e = Assert.Throws<OnnxModelLoadException>(() => FewShotClassifier.Load(embeddingPath));

        Assert.Contains($"'{location}'", e.Message);
        Assert.Contains("attribute 'value'", e.Message);
        Assert.Contains("Only files inside the model's folder", e.Message);
        Assert.DoesNotContain(Encoding.ASCII.GetString(Secret), e.ToString());
        Assert.All(WrittenFiles(temp), file => Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(Secret) < 0, $"{file} holds the secret."));
    }

    [Fact]
    public void A_classifier_loaded_from_bytes_refuses_external_data_and_says_so()
    {
        using var temp = new TempFolder();
        var embeddingPath = FewShotModels.LinearWithUnusedExternalConstant(temp.Path, "constant.bin", 4);

        var e = Assert.Throws<OnnxModelLoadException>(() => FewShotClassifier.Load(File.ReadAllBytes(embeddingPath)));

        Assert.Contains("'constant.bin'", e.Message);
        Assert.Contains("load it from its file instead", e.Message);
    }

    [Fact]
    public void External_data_inside_the_folder_is_inlined_into_the_adapted_export()
    {
        using var temp = new TempFolder();
        var embeddingPath = FewShotModels.LinearWithUnusedExternalConstant(temp.File("model/"), "constant.bin", Secret.Length);
        temp.WriteBytes("model/constant.bin", Secret);
        using var classifier = FewShotClassifier.Load(embeddingPath);
        classifier.Fit(HandSupport, ["a", "b", "a", "b", "b"]);

        var adapted = classifier.ExportAdaptedBytes();

        // The one-file export stands alone: the file's bytes are inside it, and it loads from bytes, which refuses
        // any external data.
        Assert.True(adapted.AsSpan().IndexOf(Secret) >= 0, "The external data was not inlined.");
        using var reloaded = OnnxModel.Load(adapted);
        Assert.Equal(2, reloaded.OutputLength);
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
