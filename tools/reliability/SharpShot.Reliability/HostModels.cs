namespace SharpShot.Reliability;

/// <summary>The ONNX models the host commands load: the small CNN classifier and the few-shot embedding, exported once per process.</summary>
internal static class HostModels
{
    private static readonly Lazy<byte[]> s_classifier = new(() => Export(new SmallCnn(seed: 7)));
    private static readonly Lazy<byte[]> s_embedding = new(() => Export(new SmallEmbedding(seed: 7)));

    /// <summary>The 10-class CNN as ONNX bytes.</summary>
    public static byte[] ClassifierBytes() => s_classifier.Value;

    /// <summary>The two-block embedding as ONNX bytes.</summary>
    public static byte[] EmbeddingBytes() => s_embedding.Value;

    /// <summary><paramref name="count"/> seeded inputs of <paramref name="length"/> values in [0, 1).</summary>
    public static float[][] Queries(int count, int length)
    {
        var random = new Random(23);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => random.NextSingle()).ToArray()).ToArray();
    }

    /// <summary>A 5-way 1-shot support set of generated glyphs: the samples, one after another, and their labels.</summary>
    public static (float[] Samples, string[] Labels) Support()
    {
        var classes = Fixtures.Glyphs().Classes.Take(5).ToArray();
        return (classes.SelectMany(c => c.Sample(0).ToArray()).ToArray(), classes.Select(c => c.Name).ToArray());
    }

    private static byte[] Export(SequentialModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sharpshot-reliability-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
