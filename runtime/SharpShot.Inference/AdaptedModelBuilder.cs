using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using SharpShot.Onnx;
using SharpShot.Onnx.Proto;

namespace SharpShot.Inference;

/// <summary>
/// Turns an embedding model and a set of prototypes into one standalone classifier model: the embedding
/// graph as it was, followed by a head that computes each query's negative squared Euclidean distance to
/// every prototype and a softmax over them. The head uses the expansion
/// <c>−‖e − p‖² = 2 e·p − ‖p‖² − ‖e‖²</c>: one Gemm against the prototypes (stored as initializers, with
/// <c>−‖p‖²</c> as its bias), a ReduceSumSquare for <c>‖e‖²</c> and a Sub, so its cost is one matrix product.
/// </summary>
/// <remarks>
/// The model keeps its opset imports, IR version, input, metadata and everything the project's
/// <c>onnx.proto</c> does not know (protobuf carries unknown fields through a parse and a write).
/// </remarks>
internal static class AdaptedModelBuilder
{
    /// <summary>Lowest default-domain opset the head can be written for: the first with today's broadcasting (and the first ONNX Runtime runs).</summary>
    private const long MinOpset = 7;

    /// <summary>ReduceSumSquare reads <c>axes</c> from an input from opset 18 on (ReduceSum already from 13), from an attribute before.</summary>
    private const long FirstOpsetWithReduceAxesInput = 18;

    /// <summary>Before IR version 4 every initializer must also be declared as a graph input.</summary>
    private const long FirstIrVersionWithoutInitializerInputs = 4;

    private const string OutputHint = "probabilities";

    /// <summary>Builds the adapted model.</summary>
    /// <param name="embeddingModel">The embedding model's bytes, as ONNX Runtime loaded them.</param>
    /// <param name="modelFolder">The folder of the model file, to resolve external tensor data; null for a model loaded from bytes.</param>
    /// <param name="modelDescription">How messages name the model.</param>
    /// <param name="outputName">The embedding output, as ONNX Runtime reported it.</param>
    /// <param name="prototypes">Class-major prototypes, <paramref name="classes"/> rows of <paramref name="embeddingLength"/>.</param>
    /// <param name="classes">Class names in prototype order.</param>
    /// <param name="embeddingLength">Values per embedding.</param>
    /// <param name="description">A line appended to the model's doc string.</param>
    public static ModelProto Build(
        byte[] embeddingModel, string? modelFolder, string modelDescription, string outputName,
        float[] prototypes, IReadOnlyList<string> classes, int embeddingLength, string description)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(embeddingModel);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidOperationException(
                $"Cannot export an adapted model: {modelDescription} does not parse as an ONNX ModelProto ({e.Message}).", e);
        }
        var graph = model.Graph ?? throw new InvalidOperationException(
            $"Cannot export an adapted model: {modelDescription} has no graph.");
        if (graph.Output.Count != 1 || graph.Output[0].Name != outputName)
        {
            throw new InvalidOperationException(
                $"Cannot export an adapted model: the graph of {modelDescription} declares the outputs " +
                $"[{string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}], not the single output '{outputName}' ONNX Runtime reported.");
        }
        var opset = DefaultOpset(model, modelDescription);
        InlineExternalData(graph, modelFolder, modelDescription);

        var names = new Names(graph);
        var classCount = classes.Count;
        var embedding = graph.Output[0];

        // The head's constants: the prototypes as a [classes, embedding] matrix and minus their squared norms.
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
        var newInitializers = new List<TensorProto>
        {
            FloatTensor(names.Value("fewshot.prototypes"), prototypes, classCount, embeddingLength),
            FloatTensor(names.Value("fewshot.neg_prototype_sq_norms"), negatedSquaredNorms, classCount),
        };
        var prototypesName = newInitializers[0].Name;
        var negatedNormsName = newInitializers[1].Name;

        // 2 e·pᵀ − ‖p‖²: [batch, classes].
        var dotName = names.Value("fewshot.two_dot_minus_prototype_sq_norms");
        graph.Node.Add(Node(names, "Gemm", [embedding.Name, prototypesName, negatedNormsName], dotName,
            FloatAttribute("alpha", 2f), FloatAttribute("beta", 1f), IntAttribute("transB", 1)));

        // ‖e‖²: [batch, 1].
        var squaredNormName = names.Value("fewshot.embedding_sq_norm");
        if (opset >= FirstOpsetWithReduceAxesInput)
        {
            var axes = Int64Tensor(names.Value("fewshot.reduce_axes"), [1L], 1);
            newInitializers.Add(axes);
            graph.Node.Add(Node(names, "ReduceSumSquare", [embedding.Name, axes.Name], squaredNormName, IntAttribute("keepdims", 1)));
        }
        else
        {
            graph.Node.Add(Node(names, "ReduceSumSquare", [embedding.Name], squaredNormName,
                IntsAttribute("axes", 1), IntAttribute("keepdims", 1)));
        }

        // −‖e − p‖², then the probabilities.
        var distancesName = names.Value("fewshot.neg_sq_distances");
        graph.Node.Add(Node(names, "Sub", [dotName, squaredNormName], distancesName));
        var probabilitiesName = names.Value(OutputHint);
        graph.Node.Add(Node(names, "Softmax", [distancesName], probabilitiesName, IntAttribute("axis", 1)));

        graph.Initializer.AddRange(newInitializers);
        if (model.IrVersion < FirstIrVersionWithoutInitializerInputs)
        {
            graph.Input.AddRange(newInitializers.Select(InitializerAsInput));
        }

        // The embedding becomes an intermediate value; keep its declared type for shape inference and readers.
        graph.Output.Clear();
        var isGraphInput = graph.Input.Any(v => v.Name == embedding.Name);
        if (!isGraphInput && !graph.ValueInfo.Any(v => v.Name == embedding.Name))
        {
            graph.ValueInfo.Add(embedding);
        }
        var batch = embedding.Type?.TensorType?.Shape?.Dim.FirstOrDefault()?.Clone() ?? new TensorShapeProto.Types.Dimension();
        var outputShape = new TensorShapeProto();
        outputShape.Dim.Add(batch);
        outputShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = classCount });
        graph.Output.Add(new ValueInfoProto
        {
            Name = probabilitiesName,
            DocString = "Class probabilities: softmax over the negative squared Euclidean distances to the class prototypes.",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxElementType.Float, Shape = outputShape } },
        });

        SetMetadata(model, SharpShotMetadata.ClassLabels, ClassLabelsJson(classes));
        SetMetadata(model, SharpShotMetadata.Output, "probabilities");
        model.DocString = string.IsNullOrEmpty(model.DocString) ? description : model.DocString + "\n\n" + description;
        return model;
    }

    private static long DefaultOpset(ModelProto model, string modelDescription)
    {
        // "ai.onnx" is the spelled-out name of the default domain.
        var import = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new NotSupportedException(
                $"Cannot export an adapted model: {modelDescription} imports no default-domain (ai.onnx) operator set, " +
                "which the distance head (Gemm, ReduceSumSquare, Sub, Softmax) needs.");
        if (import.Version < MinOpset)
        {
            throw new NotSupportedException(
                $"Cannot export an adapted model: {modelDescription} uses opset {import.Version}; the distance head needs opset {MinOpset} or newer. " +
                "Re-export the embedding with a newer opset.");
        }
        return import.Version;
    }

    /// <summary>
    /// Moves tensor data kept in external files into the model, so that the adapted model is one standalone
    /// file wherever it is written.
    /// </summary>
    private static void InlineExternalData(GraphProto graph, string? modelFolder, string modelDescription)
    {
        foreach (var tensor in graph.Initializer)
        {
            Inline(tensor, modelFolder, modelDescription);
        }
        foreach (var sparse in graph.SparseInitializer)
        {
            Inline(sparse, modelFolder, modelDescription);
        }
        foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
        {
            Inline(attribute.T, modelFolder, modelDescription);
            Inline(attribute.SparseTensor, modelFolder, modelDescription);
            foreach (var tensor in attribute.Tensors)
            {
                Inline(tensor, modelFolder, modelDescription);
            }
            foreach (var sparse in attribute.SparseTensors)
            {
                Inline(sparse, modelFolder, modelDescription);
            }
            if (attribute.G is { } subgraph)
            {
                InlineExternalData(subgraph, modelFolder, modelDescription);
            }
            foreach (var nested in attribute.Graphs)
            {
                InlineExternalData(nested, modelFolder, modelDescription);
            }
        }
    }

    private static void Inline(SparseTensorProto? sparse, string? modelFolder, string modelDescription)
    {
        Inline(sparse?.Values, modelFolder, modelDescription);
        Inline(sparse?.Indices, modelFolder, modelDescription);
    }

    private static void Inline(TensorProto? tensor, string? modelFolder, string modelDescription)
    {
        if (tensor is null || tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return;
        }
        var entries = tensor.ExternalData.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        if (modelFolder is null)
        {
            throw new NotSupportedException(
                $"Cannot export an adapted model: {modelDescription} keeps tensor '{tensor.Name}' in an external data file, and a model loaded " +
                "from bytes has no folder to find it in. Load the model from its file path instead.");
        }
        if (!entries.TryGetValue("location", out var location) || string.IsNullOrWhiteSpace(location))
        {
            throw new InvalidOperationException(
                $"Cannot export an adapted model: tensor '{tensor.Name}' of {modelDescription} is marked as external data but names no location.");
        }
        var file = Path.GetFullPath(Path.Combine(modelFolder, location));
        var offset = ReadExternalNumber(entries, "offset", tensor, modelDescription) ?? 0;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = ReadExternalNumber(entries, "length", tensor, modelDescription) ?? stream.Length - offset;
            if (length < 0 || offset + length > stream.Length || length > Array.MaxLength)
            {
                throw new InvalidOperationException(
                    $"Cannot export an adapted model: tensor '{tensor.Name}' of {modelDescription} takes {length} bytes at offset {offset} " +
                    $"of '{file}', which holds {stream.Length}.");
            }
            var bytes = new byte[length];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"Cannot export an adapted model: the external data of tensor '{tensor.Name}' of {modelDescription} could not be read from '{file}': {e.Message}", e);
        }
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
    }

    private static long? ReadExternalNumber(Dictionary<string, string> entries, string key, TensorProto tensor, string modelDescription)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new InvalidOperationException(
                $"Cannot export an adapted model: tensor '{tensor.Name}' of {modelDescription} has the external data {key} \"{text}\", not a non-negative integer.");
        }
        return value;
    }

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        var first = model.MetadataProps.FirstOrDefault(e => e.Key == key);
        if (first is null)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            return;
        }
        first.Value = value;
        // A repeated key would be read as its last entry by some readers; keep only the one just set.
        for (var i = model.MetadataProps.Count - 1; i >= 0; i--)
        {
            if (model.MetadataProps[i].Key == key && !ReferenceEquals(model.MetadataProps[i], first))
            {
                model.MetadataProps.RemoveAt(i);
            }
        }
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

    private static NodeProto Node(Names names, string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = names.Node("fewshot." + opType) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static TensorProto FloatTensor(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        var tensor = new TensorProto { Name = name, DataType = (int)OnnxElementType.Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static TensorProto Int64Tensor(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }
        var tensor = new TensorProto { Name = name, DataType = (int)OnnxElementType.Int64, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static ValueInfoProto InitializerAsInput(TensorProto initializer)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(initializer.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = initializer.Name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = initializer.DataType, Shape = shape } },
        };
    }

    /// <summary>
    /// Every value and node name already in the graph, its subgraphs included (a subgraph may not reuse an
    /// outer name), so that the head's names are fresh: the hint itself when free, else <c>hint_1</c>, ...
    /// </summary>
    private sealed class Names
    {
        private readonly HashSet<string> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);

        public Names(GraphProto graph) => Collect(graph);

        public string Value(string hint) => Claim(_values, hint);

        public string Node(string hint) => Claim(_nodes, hint);

        private static string Claim(HashSet<string> used, string hint)
        {
            if (used.Add(hint))
            {
                return hint;
            }
            for (var i = 1; ; i++)
            {
                var candidate = $"{hint}_{i.ToString(CultureInfo.InvariantCulture)}";
                if (used.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        private void Collect(GraphProto graph)
        {
            _values.UnionWith(graph.Input.Select(v => v.Name));
            _values.UnionWith(graph.Output.Select(v => v.Name));
            _values.UnionWith(graph.ValueInfo.Select(v => v.Name));
            _values.UnionWith(graph.Initializer.Select(t => t.Name));
            _values.UnionWith(graph.SparseInitializer.Select(s => s.Values?.Name ?? string.Empty));
            foreach (var node in graph.Node)
            {
                _nodes.Add(node.Name);
                _values.UnionWith(node.Input);
                _values.UnionWith(node.Output);
                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is { } subgraph)
                    {
                        Collect(subgraph);
                    }
                    foreach (var nested in attribute.Graphs)
                    {
                        Collect(nested);
                    }
                }
            }
        }
    }
}
