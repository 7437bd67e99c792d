using System.Globalization;
using Google.Protobuf;
using SharpShot.Onnx;
using SharpShot.Onnx.Proto;

namespace SharpShot.Inference;

public sealed partial class FewShotClassifier
{
    /// <summary>
    /// Writes the fitted classifier as one standalone ONNX model: the embedding graph followed by a head that
    /// computes the negative squared Euclidean distances to the prototypes (stored in the model) and a softmax,
    /// so its single output is (batch, <see cref="ClassCount"/>) probabilities equal to
    /// <see cref="PredictProbabilities(ReadOnlySpan{float})"/>. Its metadata names the classes
    /// (<c>sharpshot.class_labels</c>, a JSON array in <see cref="Classes"/> order) and says the output holds
    /// probabilities (<c>sharpshot.output</c>), so <see cref="OnnxModel.Load(string, OnnxModelOptions?)"/> runs it as a
    /// classifier with <see cref="OnnxModel.ClassLabels"/> set. The embedding's input, opset, IR version and
    /// other metadata are kept; tensors the embedding kept in external data files are stored inline.
    /// </summary>
    /// <param name="path">Destination file, usually ending in <c>.onnx</c>; its folder is created if needed. The file is written to a temporary name and renamed, so it is never half-written.</param>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="NotSupportedException">The embedding uses an opset older than 7 or imports no default-domain opset, or keeps tensors in external files but was loaded from bytes.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void ExportAdapted(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = BuildAdapted();
        AtomicFile.Write(path, model.WriteTo);
    }

    /// <summary>The model <see cref="ExportAdapted(string)"/> writes, as bytes (e.g. for <see cref="OnnxModel.Load(byte[], OnnxModelOptions?)"/> or a blob store).</summary>
    /// <returns>The serialized adapted model.</returns>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="NotSupportedException">The embedding uses an opset older than 7 or imports no default-domain opset, or keeps tensors in external files but was loaded from bytes.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public byte[] ExportAdaptedBytes() => BuildAdapted().ToByteArray();

    private ModelProto BuildAdapted()
    {
        var prototypes = RequireFitted("export an adapted model");
        var supportCount = prototypes.SupportCounts.Sum();
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Adapted by SharpShot.Inference FewShotClassifier: {prototypes.Classes.Length} class prototypes (mean embeddings of " +
            $"{supportCount} support samples); output = softmax over negative squared Euclidean distances to them.");
        return AdaptedModelBuilder.Build(_modelBytes, _modelFolder, _modelDescription, _embedding.OutputName,
            prototypes.Values, prototypes.Classes, EmbeddingLength, description);
    }
}
