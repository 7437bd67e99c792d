using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpShot.Onnx;

namespace SharpShot.Inference;

public sealed partial class FewShotClassifier
{
    /// <summary>Lowest default-domain opset the head can be written for: the first with today's broadcasting (and the first ONNX Runtime runs).</summary>
    private const int MinHeadOpset = 7;

    /// <summary>ReduceSumSquare reads <c>axes</c> from an input from opset 18 on, from an attribute before.</summary>
    private const int FirstOpsetWithReduceAxesInput = 18;

    /// <summary>
    /// Writes the fitted classifier as one standalone ONNX model: the embedding graph followed by a head that
    /// computes the negative squared Euclidean distances to the prototypes (stored in the model) and a softmax,
    /// so its single output is (batch, <see cref="ClassCount"/>) probabilities equal to
    /// <see cref="PredictProbabilities(ReadOnlySpan{float})"/>. Its metadata names the classes
    /// (<c>sharpshot.class_labels</c>, a JSON array in <see cref="Classes"/> order) and says the output holds
    /// probabilities (<c>sharpshot.output</c>), so <see cref="OnnxModel.Load(string, OnnxModelOptions?)"/> runs it as a
    /// classifier with <see cref="OnnxModel.ClassLabels"/> set. The embedding's input, opset, IR version and
    /// other metadata are kept; tensors the embedding kept in external data files are stored inline, and only files
    /// inside the embedding model's folder are read for them.
    /// </summary>
    /// <param name="path">Destination file, usually ending in <c>.onnx</c>; its folder is created if needed. The file is written to a temporary name and renamed, so it is never half-written.</param>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="NotSupportedException">The embedding uses an opset older than 7 or imports no default-domain opset, keeps tensors in external files but was loaded from bytes, or keeps one larger than a model can hold inline (2 GiB).</exception>
    /// <exception cref="OnnxFormatException">A tensor's external data location is absolute, leads out of the model's folder (through <c>..</c> or a symbolic link), or names bytes beyond its file; nothing is written.</exception>
    /// <exception cref="IOException">An external data file inside the model's folder could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void ExportAdapted(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        BuildAdapted().Save(path);
    }

    /// <summary>The model <see cref="ExportAdapted(string)"/> writes, as bytes (e.g. for <see cref="OnnxModel.Load(byte[], OnnxModelOptions?)"/> or a blob store).</summary>
    /// <returns>The serialized adapted model.</returns>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="NotSupportedException">The embedding uses an opset older than 7 or imports no default-domain opset, keeps tensors in external files but was loaded from bytes, or keeps one larger than a model can hold inline (2 GiB).</exception>
    /// <exception cref="OnnxFormatException">A tensor's external data location is absolute, leads out of the model's folder (through <c>..</c> or a symbolic link), or names bytes beyond its file.</exception>
    /// <exception cref="IOException">An external data file inside the model's folder could not be read.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public byte[] ExportAdaptedBytes() => BuildAdapted().ToBytes();

    private OnnxGraphBuilder BuildAdapted()
    {
        var prototypes = RequireFitted("export an adapted model");
        var graph = OpenEmbeddingModel();
        try
        {
            graph.InlineExternalData(_modelFolder);
        }
        catch (NotSupportedException e) when (_modelFolder is null)
        {
            throw new NotSupportedException(
                $"Cannot export an adapted model of {_modelDescription}: {e.Message} Load the classifier from the model file's path instead of its bytes.", e);
        }

        AppendPrototypeHead(graph, graph.Outputs[0], prototypes.ValueArray, prototypes.ClassArray, EmbeddingLength);
        graph.SetMetadata(SharpShotMetadata.ClassLabels, ClassLabelsJson(prototypes.ClassArray));
        graph.SetMetadata(SharpShotMetadata.Output, "probabilities");
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Adapted by SharpShot.Inference FewShotClassifier: {prototypes.Classes.Count} class prototypes (mean embeddings of " +
            $"{prototypes.SupportCounts.Sum()} support samples); output = softmax over negative squared Euclidean distances to them.");
        graph.DocString = string.IsNullOrEmpty(graph.DocString) ? description : graph.DocString + "\n\n" + description;
        return graph;
    }

    /// <summary>The embedding model as loaded, ready to be extended, checked to be the graph ONNX Runtime runs.</summary>
    private OnnxGraphBuilder OpenEmbeddingModel()
    {
        OnnxGraphBuilder graph;
        try
        {
            graph = OnnxGraphBuilder.FromModel(_modelBytes);
        }
        catch (OnnxFormatException e)
        {
            throw new InvalidOperationException($"Cannot export an adapted model: {_modelDescription} does not read as an ONNX model ({e.Message}).", e);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"Cannot export an adapted model of {_modelDescription}: {e.Message}", e);
        }
        if (graph.Opset < MinHeadOpset)
        {
            throw new NotSupportedException(
                $"Cannot export an adapted model: {_modelDescription} uses opset {graph.Opset}; the distance head needs opset {MinHeadOpset} or newer. " +
                "Re-export the embedding with a newer opset.");
        }
        var outputs = graph.Outputs;
        if (outputs.Count != 1 || outputs[0].Name != _embedding.OutputName)
        {
            throw new InvalidOperationException(
                $"Cannot export an adapted model: the graph of {_modelDescription} declares the outputs " +
                $"[{string.Join(", ", outputs.Select(o => $"'{o.Name}'"))}], not the single output '{_embedding.OutputName}' ONNX Runtime reported.");
        }
        return graph;
    }

    /// <summary>
    /// Appends the prototype head after the embedding and makes its probabilities the single output. The head uses
    /// the expansion <c>−‖e − p‖² = 2 e·p − ‖p‖² − ‖e‖²</c>: one Gemm against the prototypes (stored as initializers,
    /// with <c>−‖p‖²</c> as its bias), a ReduceSumSquare for <c>‖e‖²</c> and a Sub, so its cost is one matrix product.
    /// </summary>
    private static void AppendPrototypeHead(
        OnnxGraphBuilder graph, OnnxValueInfo embedding, float[] prototypes, IReadOnlyList<string> classes, int embeddingLength)
    {
        var classCount = classes.Count;
        var negatedSquaredNorms = new float[classCount];
        for (var c = 0; c < classCount; c++)
        {
            double sum = 0;
            foreach (var value in prototypes.AsSpan(c * embeddingLength, embeddingLength))
            {
                sum += (double)value * value;
            }
            negatedSquaredNorms[c] = (float)-sum;
        }
        var prototypeMatrix = graph.AddInitializer("fewshot.prototypes", prototypes, classCount, embeddingLength);
        var negatedNorms = graph.AddInitializer("fewshot.neg_prototype_sq_norms", negatedSquaredNorms, classCount);

        // 2 e·pᵀ − ‖p‖²: [batch, classes].
        var twoDotMinusNorms = graph.AddNode("Gemm", [embedding.Name, prototypeMatrix, negatedNorms], "fewshot.two_dot_minus_prototype_sq_norms",
            OnnxAttribute.Float("alpha", 2f), OnnxAttribute.Float("beta", 1f), OnnxAttribute.Int("transB", 1));

        // ‖e‖²: [batch, 1].
        var squaredNorm = graph.Opset >= FirstOpsetWithReduceAxesInput
            ? graph.AddNode("ReduceSumSquare", [embedding.Name, graph.AddInitializer("fewshot.reduce_axes", [1L], 1)], "fewshot.embedding_sq_norm",
                OnnxAttribute.Int("keepdims", 1))
            : graph.AddNode("ReduceSumSquare", [embedding.Name], "fewshot.embedding_sq_norm",
                OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1));

        // −‖e − p‖², then the probabilities.
        var distances = graph.AddNode("Sub", [twoDotMinusNorms, squaredNorm], "fewshot.neg_sq_distances");
        var probabilities = graph.AddNode("Softmax", [distances], "probabilities", OnnxAttribute.Int("axis", 1));

        graph.RemoveOutput(embedding.Name);
        var batch = embedding.Shape.Count > 0 ? embedding.Shape[0] : OnnxDimension.Unknown;
        graph.AddOutput(probabilities, OnnxElementType.Float, [batch, classCount],
            "Class probabilities: softmax over the negative squared Euclidean distances to the class prototypes.");
    }

    /// <summary>The class names as a JSON array of strings, written without reflection.</summary>
    private static string ClassLabelsJson(IReadOnlyList<string> classes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var name in classes)
            {
                writer.WriteStringValue(name);
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
