using System.Reflection;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// Builds an ONNX model one value at a time: graph inputs, constant initializers, nodes and graph outputs.
/// Every value name is unique and every node input must exist when the node is added, so the nodes are
/// always in topological order and the model never refers to an undefined value. A builder starts from an
/// empty graph (the constructor) or from an existing model (<see cref="FromModel(byte[])"/>), which it extends
/// with the same calls.
/// </summary>
/// <remarks>Not thread-safe: build one graph from one thread.</remarks>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>Opset used when none is given: 17, the opset of ONNX 1.12 (IR version 8), which every current runtime and checker accepts.</summary>
    public const int DefaultOpset = 17;

    // The model being built: its graph, opset imports and metadata and, for a model that was read, everything else
    // it holds (unknown fields included). IR version, producer and doc string are properties, written by Build.
    private readonly ModelProto _model;
    private readonly GraphProto _graph;

    // How many of the graph's initializers came with a model that was read; the ones after them were added here.
    private readonly int _readInitializerCount;

    // Every value name of the graph (graph input, initializer or node output) with what defined it.
    private readonly Dictionary<string, ValueKind> _values = new(StringComparer.Ordinal);

    // Other names a model that was read uses (values of subgraphs, value_info, references to undefined values):
    // never handed out by UniqueName, never valid as node inputs.
    private readonly HashSet<string> _reservedNames = new(StringComparer.Ordinal);

    // Next suffix to try per hint, so that UniqueName does not rescan hint_1, hint_2, ... every time.
    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);

    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextNodeIndex = new(StringComparer.Ordinal);

    private string _producerName = "SharpShot";
    private string _producerVersion = DefaultProducerVersion();

    /// <summary>Starts an empty graph.</summary>
    /// <param name="graphName">The graph's name, stored in the model.</param>
    /// <param name="opset">Default-domain operator set version, 7 to 23; it also fixes <see cref="IrVersion"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="graphName"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opset"/> is outside 7..23.</exception>
    public OnnxGraphBuilder(string graphName, int opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        if (opset is < OnnxVersions.MinOpset or > OnnxVersions.MaxOpset)
        {
            throw new ArgumentOutOfRangeException(nameof(opset), opset,
                $"Opset {opset} is not supported: it must be between {OnnxVersions.MinOpset} and {OnnxVersions.MaxOpset}.");
        }
        _graph = new GraphProto { Name = graphName };
        _model = new ModelProto { Graph = _graph };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        Opset = opset;
        IrVersion = OnnxVersions.IrVersionFor(opset);
    }

    private enum ValueKind
    {
        Input,
        Initializer,
        NodeOutput,
    }

    /// <summary>
    /// The default-domain operator set version the model imports. Operators whose form changed between opsets
    /// (ReduceSum's <c>axes</c>, for example) must be written in this opset's form.
    /// </summary>
    public int Opset { get; }

    /// <summary>
    /// The IR version written to the model: that of the ONNX release which introduced <see cref="Opset"/> (opset 17
    /// gives 8), or the version a model read with <see cref="FromModel(byte[])"/> declares.
    /// </summary>
    public long IrVersion { get; }

    /// <summary>The graph inputs to feed data to, in order: declared inputs that are not initializers.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs =>
        _graph.Input.Where(v => !IsInitializer(v.Name)).Select(OnnxModelInfo.ToValueInfo).ToArray();

    /// <summary>The graph outputs declared so far, in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs => _graph.Output.Select(OnnxModelInfo.ToValueInfo).ToArray();

    /// <summary>Name of the tool that wrote the model; <c>"SharpShot"</c> unless changed.</summary>
    public string ProducerName
    {
        get => _producerName;
        set => _producerName = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Version of the tool that wrote the model; this assembly's informational version unless changed.</summary>
    public string ProducerVersion
    {
        get => _producerVersion;
        set => _producerVersion = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Optional human-readable description of the model (Markdown allowed).</summary>
    public string? DocString { get; set; }

    /// <summary>Declares a graph input.</summary>
    /// <param name="name">The input's name, used as is: it is what callers of the model bind their data to.</param>
    /// <param name="type">Element type.</param>
    /// <param name="shape">Shape, typically with a symbolic batch axis first.</param>
    /// <returns><paramref name="name"/>.</returns>
    /// <exception cref="ArgumentException">The name is empty or already used, or the type is <see cref="OnnxElementType.Undefined"/>.</exception>
    public string AddInput(string name, OnnxElementType type, IReadOnlyList<OnnxDimension> shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var valueInfo = NewValueInfo(name, type, shape);
        if (IsUsed(name))
        {
            throw new ArgumentException(
                $"Cannot add input '{name}' to graph '{_graph.Name}': the name is already used by {DescribeUse(name)}.", nameof(name));
        }
        _values.Add(name, ValueKind.Input);
        _graph.Input.Add(valueInfo);
        return name;
    }

    /// <summary>Declares a graph output.</summary>
    /// <param name="name">A value produced by a node, or a graph input.</param>
    /// <param name="type">Element type.</param>
    /// <param name="shape">Shape, typically with the same symbolic batch axis as the input.</param>
    /// <exception cref="InvalidOperationException">No node output or graph input has this name, or it is already an output.</exception>
    public void AddOutput(string name, OnnxElementType type, IReadOnlyList<OnnxDimension> shape) =>
        AddOutput(name, type, shape, docString: null);

    /// <summary>Declares a graph output with a description.</summary>
    /// <param name="name">A value produced by a node, or a graph input.</param>
    /// <param name="type">Element type.</param>
    /// <param name="shape">Shape, typically with the same symbolic batch axis as the input.</param>
    /// <param name="docString">What the output holds, stored as its <c>doc_string</c>; <see langword="null"/> for none.</param>
    /// <exception cref="InvalidOperationException">No node output or graph input has this name, or it is already an output.</exception>
    public void AddOutput(string name, OnnxElementType type, IReadOnlyList<OnnxDimension> shape, string? docString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var valueInfo = NewValueInfo(name, type, shape);
        if (!_values.TryGetValue(name, out var kind))
        {
            throw new InvalidOperationException(
                $"Cannot add output '{name}' to graph '{_graph.Name}': no node output or graph input has that name.");
        }
        if (kind == ValueKind.Initializer)
        {
            throw new InvalidOperationException(
                $"Cannot add output '{name}' to graph '{_graph.Name}': it is an initializer; an output must be computed by a node or be a graph input (add an Identity node).");
        }
        if (_graph.Output.Any(o => o.Name == name))
        {
            throw new InvalidOperationException($"'{name}' is already an output of graph '{_graph.Name}'.");
        }
        if (docString is not null)
        {
            valueInfo.DocString = docString;
        }
        _graph.Output.Add(valueInfo);
    }

    /// <summary>
    /// Stops declaring a value as a graph output, e.g. to append nodes after it and declare theirs instead. The
    /// value stays in the graph, as the input of later nodes may be; its declared type and shape are kept as the
    /// graph's <c>value_info</c>, for shape inference and readers, unless it is a graph input or already described there.
    /// </summary>
    /// <param name="name">A current output.</param>
    /// <exception cref="InvalidOperationException">The graph has no output of this name.</exception>
    public void RemoveOutput(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var output = _graph.Output.FirstOrDefault(o => o.Name == name) ?? throw new InvalidOperationException(
            $"Cannot remove output '{name}' from graph '{_graph.Name}': its outputs are [{string.Join(", ", _graph.Output.Select(o => $"'{o.Name}'"))}].");
        _graph.Output.Remove(output);
        var isInput = _graph.Input.Any(v => v.Name == name);
        if (!isInput && !_graph.ValueInfo.Any(v => v.Name == name))
        {
            _graph.ValueInfo.Add(output);
        }
    }

    /// <summary>Adds a float constant (weights, biases), stored as little-endian raw data.</summary>
    /// <param name="nameHint">Preferred name; made unique with <see cref="UniqueName"/>.</param>
    /// <param name="values">Values in row-major order, copied.</param>
    /// <param name="dims">Shape; none for a scalar.</param>
    /// <returns>The initializer's unique name.</returns>
    /// <exception cref="ArgumentException">The number of values differs from the product of <paramref name="dims"/>, or a dim is negative.</exception>
    public string AddInitializer(string nameHint, ReadOnlySpan<float> values, params long[] dims)
    {
        var name = UniqueName(nameHint);
        AddInitializerTensor(TensorData.Float(name, values, dims, $"Initializer '{nameHint}'"));
        return name;
    }

    /// <summary>Adds an int64 constant (Reshape shapes, axes, indices), stored as little-endian raw data.</summary>
    /// <param name="nameHint">Preferred name; made unique with <see cref="UniqueName"/>.</param>
    /// <param name="values">Values in row-major order, copied.</param>
    /// <param name="dims">Shape; none for a scalar.</param>
    /// <returns>The initializer's unique name.</returns>
    /// <exception cref="ArgumentException">The number of values differs from the product of <paramref name="dims"/>, or a dim is negative.</exception>
    public string AddInitializer(string nameHint, ReadOnlySpan<long> values, params long[] dims)
    {
        var name = UniqueName(nameHint);
        AddInitializerTensor(TensorData.Int64(name, values, dims, $"Initializer '{nameHint}'"));
        return name;
    }

    /// <summary>
    /// Adds a constant whose bytes lie in an external file next to the model, as models too large for one protobuf
    /// file (2 GiB) keep their weights. Nothing is read or written here: whoever saves the model writes the file,
    /// holding the elements in row-major order, little-endian, at <see cref="OnnxExternalData.Offset"/>.
    /// </summary>
    /// <param name="nameHint">Preferred name; made unique with <see cref="UniqueName"/>.</param>
    /// <param name="type">Element type; any fixed-width type (not <see cref="OnnxElementType.String"/> or <see cref="OnnxElementType.Undefined"/>).</param>
    /// <param name="data">The file and byte range holding the elements.</param>
    /// <param name="dims">Shape; none for a scalar.</param>
    /// <returns>The initializer's unique name.</returns>
    /// <exception cref="ArgumentException">The type has no fixed width, a dim is negative, or <see cref="OnnxExternalData.Length"/> differs from the byte size of the shape.</exception>
    public string AddExternalInitializer(string nameHint, OnnxElementType type, OnnxExternalData data, params long[] dims)
    {
        var name = UniqueName(nameHint);
        AddInitializerTensor(TensorData.External(name, type, data, dims, $"Initializer '{nameHint}'"));
        return name;
    }

    /// <summary>Adds a node with one output.</summary>
    /// <param name="opType">Operator name in the default ONNX domain, e.g. <c>"Conv"</c>.</param>
    /// <param name="inputs">Input value names in operator order; an empty string omits an optional input.</param>
    /// <param name="outputHint">Preferred name of the output; made unique with <see cref="UniqueName"/>.</param>
    /// <param name="attributes">Operator attributes.</param>
    /// <returns>The output's unique name.</returns>
    /// <exception cref="InvalidOperationException">An input is not a graph input, an initializer or an earlier node's output.</exception>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string outputHint, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputHint);
        return AddNode(opType, inputs, [outputHint], attributes)[0];
    }

    /// <summary>Adds a node with several outputs, e.g. Split or TopK.</summary>
    /// <param name="opType">Operator name in the default ONNX domain.</param>
    /// <param name="inputs">Input value names in operator order; an empty string omits an optional input.</param>
    /// <param name="outputHints">Preferred output names in operator order, each made unique; an empty string omits an optional output.</param>
    /// <param name="attributes">Operator attributes.</param>
    /// <returns>The outputs' unique names, in the order of <paramref name="outputHints"/> (empty for omitted ones).</returns>
    /// <exception cref="InvalidOperationException">An input is not a graph input, an initializer or an earlier node's output.</exception>
    /// <exception cref="ArgumentException">No output is named, or two attributes share a name.</exception>
    public IReadOnlyList<string> AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputHints, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputHints);
        ArgumentNullException.ThrowIfNull(attributes);

        // Validate everything before changing any state, so a rejected node leaves the graph as it was.
        foreach (var input in inputs)
        {
            if (input is null)
            {
                throw new ArgumentException($"An input of the {opType} node is null; use an empty string to omit an optional input.", nameof(inputs));
            }
            if (input.Length > 0 && !_values.ContainsKey(input))
            {
                throw new InvalidOperationException(
                    $"Cannot add {opType} node to graph '{_graph.Name}': its input '{input}' is not a graph input, an initializer or the output of an earlier node.");
            }
        }
        foreach (var hint in outputHints)
        {
            if (hint is null || (hint.Length > 0 && string.IsNullOrWhiteSpace(hint)))
            {
                throw new ArgumentException($"An output of the {opType} node is null or blank; use an empty string to omit an optional output.", nameof(outputHints));
            }
        }
        if (outputHints.Count == 0 || outputHints.All(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"The {opType} node must name at least one output.", nameof(outputHints));
        }
        var attributeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            ArgumentNullException.ThrowIfNull(attribute, nameof(attributes));
            if (!attributeNames.Add(attribute.Name))
            {
                throw new ArgumentException($"The {opType} node has two attributes named '{attribute.Name}'.", nameof(attributes));
            }
        }

        var node = new NodeProto { OpType = opType, Name = UniqueNodeName(opType) };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes.Select(a => a.ToProto()));
        var outputs = new string[outputHints.Count];
        for (var i = 0; i < outputHints.Count; i++)
        {
            var hint = outputHints[i];
            if (string.IsNullOrEmpty(hint))
            {
                outputs[i] = string.Empty;
                continue;
            }
            // Registered one by one so that equal hints within one node still get distinct names.
            outputs[i] = UniqueName(hint);
            _values.Add(outputs[i], ValueKind.NodeOutput);
        }
        node.Output.AddRange(outputs);
        _nodeNames.Add(node.Name);
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>
    /// A value name not yet used in this graph: <paramref name="hint"/> itself when free, else
    /// <c>hint_1</c>, <c>hint_2</c>, ... The name is not reserved until a value is added under it.
    /// </summary>
    /// <param name="hint">Preferred name.</param>
    /// <returns>A free value name.</returns>
    public string UniqueName(string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hint);
        if (!IsUsed(hint))
        {
            return hint;
        }
        var suffix = _nextSuffix.GetValueOrDefault(hint, 1);
        string candidate;
        while (IsUsed(candidate = $"{hint}_{suffix}"))
        {
            suffix++;
        }
        _nextSuffix[hint] = suffix;
        return candidate;
    }

    /// <summary>
    /// Sets a <c>metadata_props</c> entry; setting a key again replaces its value and keeps its position. Further
    /// entries with the same key, which a model that was read may hold, are removed: readers disagree on which wins.
    /// </summary>
    /// <param name="key">Key, e.g. one of <see cref="SharpShotMetadata"/>.</param>
    /// <param name="value">Value.</param>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        var metadata = _model.MetadataProps;
        var first = metadata.FirstOrDefault(e => e.Key == key);
        if (first is null)
        {
            metadata.Add(new StringStringEntryProto { Key = key, Value = value });
            return;
        }
        first.Value = value;
        for (var i = metadata.Count - 1; i >= 0; i--)
        {
            if (metadata[i].Key == key && !ReferenceEquals(metadata[i], first))
            {
                metadata.RemoveAt(i);
            }
        }
    }

    /// <summary>Builds the model. The result is a fresh copy: changing it does not change this builder.</summary>
    /// <exception cref="InvalidOperationException">The graph has no output.</exception>
    public ModelProto Build()
    {
        if (_graph.Output.Count == 0)
        {
            throw new InvalidOperationException($"Graph '{_graph.Name}' has no output; call AddOutput before building the model.");
        }

        var model = _model.Clone();
        model.IrVersion = IrVersion;
        model.ProducerName = ProducerName;
        model.ProducerVersion = ProducerVersion;
        model.DocString = DocString ?? string.Empty;
        if (OnnxVersions.InitializersMustBeInputs(IrVersion))
        {
            // After the declared inputs; those of a model that was read already list its own initializers.
            model.Graph.Input.AddRange(_graph.Initializer.Skip(_readInitializerCount).Select(InitializerAsInput));
        }
        return model;
    }

    /// <summary>Builds the model and serializes it to the ONNX file format.</summary>
    /// <exception cref="InvalidOperationException">The graph has no output.</exception>
    public byte[] ToBytes() => Build().ToByteArray();

    /// <summary>
    /// Writes the model to <paramref name="path"/>, creating its folder if needed. The bytes go to a
    /// temporary file next to the target which then replaces it, so the target is never half-written;
    /// if the model cannot be built the target is not touched.
    /// </summary>
    /// <param name="path">Destination file, usually ending in <c>.onnx</c>.</param>
    /// <exception cref="InvalidOperationException">The graph has no output.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = Build();
        // Streamed, not serialized to an array first: a model extended from a large one may be large too.
        AtomicFile.Write(path, model.WriteTo);
    }

    private void AddInitializerTensor(TensorProto tensor)
    {
        _values.Add(tensor.Name, ValueKind.Initializer);
        _graph.Initializer.Add(tensor);
    }

    private bool IsUsed(string name) => _values.ContainsKey(name) || _reservedNames.Contains(name);

    private bool IsInitializer(string name) => _values.TryGetValue(name, out var kind) && kind == ValueKind.Initializer;

    private string UniqueNodeName(string opType)
    {
        var index = _nextNodeIndex.GetValueOrDefault(opType, 0);
        string name;
        while (_nodeNames.Contains(name = $"{opType}_{index}"))
        {
            index++;
        }
        _nextNodeIndex[opType] = index + 1;
        return name;
    }

    private static ValueInfoProto NewValueInfo(string name, OnnxElementType type, IReadOnlyList<OnnxDimension> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (type == OnnxElementType.Undefined || !Enum.IsDefined(type))
        {
            throw new ArgumentException($"'{name}' needs a defined element type, got {type}.", nameof(type));
        }
        var tensorShape = new TensorShapeProto();
        foreach (var dimension in shape)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (dimension.Value is { } value)
            {
                dim.DimValue = value;
            }
            else if (dimension.Symbol is { } symbol)
            {
                dim.DimParam = symbol;
            }
            tensorShape.Dim.Add(dim);
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
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

    private string DescribeUse(string name) => _values.TryGetValue(name, out var kind)
        ? kind switch
        {
            ValueKind.Input => "another graph input",
            ValueKind.Initializer => "an initializer",
            _ => "a node output",
        }
        : "a value of a subgraph or of value_info";

    private static string DefaultProducerVersion()
    {
        var assembly = typeof(OnnxGraphBuilder).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
    }
}
