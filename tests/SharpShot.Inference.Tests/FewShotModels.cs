using System.Buffers.Binary;
using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>Embedding models for <see cref="FewShotClassifier"/> tests, and the prototype arithmetic done by hand.</summary>
internal static class FewShotModels
{
    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("batch");

    /// <summary>
    /// A linear embedding small enough to follow on paper: [N, 3] → [N, 2] with e = (x0, 2·x1 + 1); x2 is ignored.
    /// </summary>
    public static byte[] Linear(int opset = OnnxGraphBuilder.DefaultOpset) => LinearBuilder(opset).ToBytes();

    private static OnnxGraphBuilder LinearBuilder(int opset)
    {
        var b = new OnnxGraphBuilder("linear_embedding", opset);
        var x = b.AddInput("input", OnnxElementType.Float, [Batch, 3]);
        var w = b.AddInitializer("embed.weight", [1f, 0f, 0f, 0f, 2f, 0f], 2, 3);
        var bias = b.AddInitializer("embed.bias", [0f, 1f], 2);
        var gemm = b.AddNode("Gemm", [x, w, bias], "gemm", OnnxAttribute.Int("transB", 1));
        var output = b.AddNode("Identity", [gemm], "output");
        b.AddOutput(output, OnnxElementType.Float, [Batch, 2]);
        b.SetMetadata(SharpShotMetadata.InputShape, "3");
        b.SetMetadata(SharpShotMetadata.ModelName, "Tests.LinearEmbedding");
        return b;
    }

    /// <summary>e = Linear(x) in plain C#.</summary>
    public static float[] LinearEmbedding(ReadOnlySpan<float> x) => [x[0], 2 * x[1] + 1];

    /// <summary>Conv(2 → 3 channels, 3x3, pad 1) → Relu over [N, 2, 5, 5] with no Flatten: a [N, 3, 5, 5] output, not one vector per sample.</summary>
    public static byte[] ConvWithoutFlatten()
    {
        var b = new OnnxGraphBuilder("conv_no_flatten");
        var x = b.AddInput("image", OnnxElementType.Float, [Batch, TestModels.ConvChannelsIn, TestModels.ConvSize, TestModels.ConvSize]);
        var w = b.AddInitializer("conv.weight", TestModels.ConvWeight,
            TestModels.ConvChannelsOut, TestModels.ConvChannelsIn, TestModels.ConvKernel, TestModels.ConvKernel);
        var bias = b.AddInitializer("conv.bias", TestModels.ConvBias, TestModels.ConvChannelsOut);
        var conv = b.AddNode("Conv", [x, w, bias], "conv",
            OnnxAttribute.Ints("kernel_shape", TestModels.ConvKernel, TestModels.ConvKernel), OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        var relu = b.AddNode("Relu", [conv], "features");
        b.AddOutput(relu, OnnxElementType.Float,
            [Batch, TestModels.ConvChannelsOut, TestModels.ConvSize, TestModels.ConvSize]);
        return b.ToBytes();
    }

    /// <summary>
    /// A dense embedding whose value names are the ones the adapted head prefers ("probabilities",
    /// "fewshot.prototypes", ...), to check that the head picks fresh names.
    /// </summary>
    public static byte[] DenseWithClashingNames()
    {
        var b = new OnnxGraphBuilder("clashing");
        var x = b.AddInput("fewshot.neg_sq_distances", OnnxElementType.Float, [Batch, TestModels.DenseInputs]);
        var w = b.AddInitializer("fewshot.prototypes", TestModels.DenseWeight, TestModels.DenseOutputs, TestModels.DenseInputs);
        var bias = b.AddInitializer("fewshot.neg_prototype_sq_norms", TestModels.DenseBias, TestModels.DenseOutputs);
        var y = b.AddNode("Gemm", [x, w, bias], "fewshot.embedding_sq_norm", OnnxAttribute.Int("transB", 1));
        var output = b.AddNode("Identity", [y], "probabilities");
        b.AddOutput(output, OnnxElementType.Float, [Batch, TestModels.DenseOutputs]);
        return b.ToBytes();
    }

    /// <summary>
    /// Writes <see cref="TestModels.Dense(int)"/> into <paramref name="folder"/> as <c>dense.onnx</c> with its weight
    /// matrix in the external data file <c>dense.weights</c> (after 16 bytes of padding, to exercise the offset).
    /// </summary>
    public static string DenseWithExternalWeights(string folder)
    {
        var weightBytes = LittleEndianBytes(TestModels.DenseWeight);
        File.WriteAllBytes(Path.Combine(folder, "dense.weights"), [.. new byte[16], .. weightBytes]);
        var path = Path.Combine(folder, "dense.onnx");
        TestModels.DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: false, new OnnxExternalData("dense.weights", 16, weightBytes.Length)).Save(path);
        return path;
    }

    /// <summary>
    /// Writes <see cref="Linear(int)"/> as <c>embedding.onnx</c> into <paramref name="folder"/>, plus a Constant node
    /// that nothing uses whose value is declared to lie in the external file <paramref name="location"/>: ONNX Runtime
    /// drops the node unread, so the model loads whatever the location names.
    /// </summary>
    public static string LinearWithUnusedExternalConstant(string folder, string location, long length)
    {
        var b = LinearBuilder(OnnxGraphBuilder.DefaultOpset);
        b.AddNode("Constant", [], "unused", OnnxAttribute.ExternalTensor("value", OnnxElementType.Uint8, new OnnxExternalData(location, 0, length), length));
        var path = Path.Combine(folder, "embedding.onnx");
        b.Save(path);
        return path;
    }

    /// <summary>The values as little-endian bytes, as raw or external tensor data holds them.</summary>
    public static byte[] LittleEndianBytes(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        return bytes;
    }

    /// <summary>Mean of each class's embeddings, classes in order of first appearance; computed in double.</summary>
    public static (string[] Classes, float[][] Prototypes) Prototypes(IReadOnlyList<float[]> embeddings, IReadOnlyList<string> labels)
    {
        var classes = labels.Distinct(StringComparer.Ordinal).ToArray();
        var prototypes = classes.Select(c =>
        {
            var members = embeddings.Where((_, i) => labels[i] == c).ToArray();
            return Enumerable.Range(0, members[0].Length)
                .Select(j => (float)members.Average(m => (double)m[j]))
                .ToArray();
        }).ToArray();
        return (classes, prototypes);
    }

    /// <summary>softmax_k(−‖e − p_k‖²), in double.</summary>
    public static float[] Probabilities(float[] embedding, float[][] prototypes)
    {
        var scores = prototypes.Select(p => -p.Select((v, j) => ((double)embedding[j] - v) * ((double)embedding[j] - v)).Sum()).ToArray();
        var max = scores.Max();
        var exp = scores.Select(s => Math.Exp(s - max)).ToArray();
        var total = exp.Sum();
        return exp.Select(e => (float)(e / total)).ToArray();
    }

    /// <summary>Index of the nearest prototype (first on ties).</summary>
    public static int Nearest(float[] embedding, float[][] prototypes)
    {
        var distances = prototypes.Select(p => p.Select((v, j) => ((double)embedding[j] - v) * ((double)embedding[j] - v)).Sum()).ToArray();
        return Array.IndexOf(distances, distances.Min());
    }

    /// <summary>Samples one after another in one array.</summary>
    public static float[] Concat(IEnumerable<float[]> samples) => samples.SelectMany(s => s).ToArray();
}
