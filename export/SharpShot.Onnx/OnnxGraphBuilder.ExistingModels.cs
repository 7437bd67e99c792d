using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

// Starting from a model that already exists: reading it, knowing every name it uses, and making it standalone.
public sealed partial class OnnxGraphBuilder
{
    private OnnxGraphBuilder(ModelProto model, int opset)
    {
        _model = model;
        _graph = model.Graph;
        _readInitializerCount = _graph.Initializer.Count;
        Opset = opset;
        IrVersion = model.IrVersion;
        _producerName = model.ProducerName;
        _producerVersion = model.ProducerVersion;
        DocString = model.DocString.Length > 0 ? model.DocString : null;
        DefineValues(_graph);
        ReserveNames(_graph);
    }

    /// <summary>
    /// Starts from an existing model, to extend it with the calls that build new graphs: e.g. append nodes after
    /// its output, <see cref="RemoveOutput"/> that output and <see cref="AddOutput(string, OnnxElementType, IReadOnlyList{OnnxDimension}, string?)"/>
    /// the new one. Everything the calls do not change is kept: opset imports, IR version, producer, inputs,
    /// metadata, doc string, and the parts of the format this library does not declare (training info, functions,
    /// ...), which protobuf carries through as unknown fields. New names never clash with one the model uses,
    /// in subgraphs included. New initializers are also listed as graph inputs when the model's IR version is below 4.
    /// </summary>
    /// <param name="model">The contents of an <c>.onnx</c> file; not kept.</param>
    /// <returns>A builder holding the model; <see cref="Opset"/> and <see cref="IrVersion"/> are the model's.</returns>
    /// <exception cref="OnnxFormatException">The bytes are not an ONNX model (see <see cref="OnnxModelInfo.Read(byte[])"/>).</exception>
    /// <exception cref="NotSupportedException">The model imports no default-domain (<c>ai.onnx</c>) operator set, so the operators this builder adds would mean nothing in it.</exception>
    public static OnnxGraphBuilder FromModel(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var info = OnnxModelInfo.Read(model);
        if (!info.OpsetImports.TryGetValue(string.Empty, out var opset))
        {
            throw new NotSupportedException(
                $"The model imports the operator sets [{string.Join(", ", info.OpsetImports.Select(o => $"'{o.Key}' {o.Value}"))}] but no " +
                "default-domain (ai.onnx) one, which the nodes an OnnxGraphBuilder adds belong to.");
        }
        if (opset is < 1 or > int.MaxValue)
        {
            throw new OnnxFormatException($"The model imports the default-domain operator set version {opset}; versions start at 1.");
        }
        // The info was read for this call alone, so the parsed model is ours to extend.
        return new OnnxGraphBuilder(info.Proto, (int)opset);
    }

    /// <summary>
    /// Moves the bytes of every tensor kept in an external file into the model, so that it is one standalone file
    /// wherever it is saved: initializers, sparse initializers and node attributes (such as a Constant's
    /// <c>value</c>), in subgraphs too, used or not.
    /// </summary>
    /// <param name="modelFolder">
    /// The folder of the model file, against which locations are resolved; <see langword="null"/> when the model did
    /// not come from a file, so that any external tensor is reported instead.
    /// </param>
    /// <remarks>
    /// The model is treated as untrusted: only files inside <paramref name="modelFolder"/> are read. A location that
    /// is absolute, whose <c>..</c> segments lead out of the folder, or that a symbolic link on the way (the file's
    /// or a folder's) takes outside it, is refused before anything is read; so is a byte range beyond the file's end
    /// or one that differs from the tensor's size. If a tensor fails, those before it stay inline; the model remains valid.
    /// Tensors inside parts of the format this library does not declare (model-local functions, training info) are
    /// neither read nor inlined.
    /// </remarks>
    /// <exception cref="OnnxFormatException">A tensor's location is refused, or its external data entries are malformed or do not fit its file; the message names the tensor and the location.</exception>
    /// <exception cref="NotSupportedException"><paramref name="modelFolder"/> is null and a tensor is kept in an external file, or a tensor is too large to be held inline (over 2 GiB).</exception>
    /// <exception cref="IOException">A file inside the folder could not be read, e.g. because it does not exist.</exception>
    public void InlineExternalData(string? modelFolder)
    {
        if (modelFolder is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        }
        ExternalDataInliner.Inline(_graph, modelFolder);
    }

    /// <summary>Registers the values the read graph defines: initializers, inputs and node outputs.</summary>
    private void DefineValues(GraphProto graph)
    {
        // Initializers first: before IR version 4 they are also inputs, and what they are is constants.
        foreach (var tensor in graph.Initializer)
        {
            Define(tensor.Name, ValueKind.Initializer);
        }
        foreach (var sparse in graph.SparseInitializer)
        {
            Define(sparse.Values?.Name ?? string.Empty, ValueKind.Initializer);
        }
        foreach (var input in graph.Input)
        {
            Define(input.Name, ValueKind.Input);
        }
        foreach (var output in graph.Node.SelectMany(n => n.Output))
        {
            Define(output, ValueKind.NodeOutput);
        }
    }

    private void Define(string name, ValueKind kind)
    {
        if (name.Length > 0)
        {
            _values.TryAdd(name, kind);
        }
    }

    /// <summary>
    /// Reserves every other value name and every node name of the graph and its subgraphs: a subgraph may not
    /// reuse a name of an enclosing graph, so a new name must be fresh everywhere.
    /// </summary>
    private void ReserveNames(GraphProto graph)
    {
        var names = graph.Input.Select(v => v.Name)
            .Concat(graph.Output.Select(v => v.Name))
            .Concat(graph.ValueInfo.Select(v => v.Name))
            .Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? string.Empty))
            .Concat(graph.Node.SelectMany(n => n.Input.Concat(n.Output)));
        foreach (var name in names)
        {
            if (name.Length > 0 && !_values.ContainsKey(name))
            {
                _reservedNames.Add(name);
            }
        }
        foreach (var node in graph.Node)
        {
            if (node.Name.Length > 0)
            {
                _nodeNames.Add(node.Name);
            }
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is { } subgraph)
                {
                    ReserveNames(subgraph);
                }
                foreach (var nested in attribute.Graphs)
                {
                    ReserveNames(nested);
                }
            }
        }
    }
}
