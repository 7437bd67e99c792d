using System.Reflection;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// Builds an ONNX model one value at a time: graph inputs, constant initializers, nodes and graph outputs.
/// Every value name is unique and every node input must exist when the node is added, so the nodes are
/// always in topological order and the model never refers to an undefined value.
/// </summary>
/// <remarks>Not thread-safe: build one graph from one thread.</remarks>
public sealed class OnnxGraphBuilder
{
    /// <summary>Opset used when none is given: 17, the opset of ONNX 1.12 (IR version 8), which every current runtime and checker accepts.</summary>
    public const int DefaultOpset = 17;

    private readonly string _graphName;

    // Every value name (graph input, initializer or node output) with what defined it.
    private readonly Dictionary<string, ValueKind> _values = new(StringComparer.Ordinal);

    // Next suffix to try per hint, so that UniqueName does not rescan hint_1, hint_2, ... every time.
    private readonly Dictionary<string, int> _nextSuffix = new(StringComparer.Ordinal);

    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextNodeIndex = new(StringComparer.Ordinal);

    private readonly List<ValueInfoProto> _inputs = [];
    private readonly List<ValueInfoProto> _outputs = [];
    private readonly List<TensorProto> _initializers = [];
    private readonly List<NodeProto> _nodes = [];
    private readonly List<StringStringEntryProto> _metadata = [];

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
        _graphName = graphName;
        Opset = opset;
        IrVersion = OnnxVersions.IrVersionFor(opset);
    }

    private enum ValueKind
    {
        Input,
        Initializer,
        NodeOutput,
    }

    /// <summary>The default-domain operator set version the model imports.</summary>
    public int Opset { get; }

    /// <summary>The IR version written to the model: that of the ONNX release which introduced <see cref="Opset"/> (opset 17 gives 8).</summary>
    public long IrVersion { get; }

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
        if (_values.TryGetValue(name, out var existing))
        {
            throw new ArgumentException(
                $"Cannot add input '{name}' to graph '{_graphName}': the name is already used by {Describe(existing)}.", nameof(name));
        }
        _values.Add(name, ValueKind.Input);
        _inputs.Add(valueInfo);
        return name;
    }

    /// <summary>Declares a graph output.</summary>
    /// <param name="name">A value produced by a node, or a graph input.</param>
    /// <param name="type">Element type.</param>
    /// <param name="shape">Shape, typically with the same symbolic batch axis as the input.</param>
    /// <exception cref="InvalidOperationException">No node output or graph input has this name, or it is already an output.</exception>
    public void AddOutput(string name, OnnxElementType type, IReadOnlyList<OnnxDimension> shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var valueInfo = NewValueInfo(name, type, shape);
        if (!_values.TryGetValue(name, out var kind))
        {
            throw new InvalidOperationException(
                $"Cannot add output '{name}' to graph '{_graphName}': no node output or graph input has that name.");
        }
        if (kind == ValueKind.Initializer)
        {
            throw new InvalidOperationException(
                $"Cannot add output '{name}' to graph '{_graphName}': it is an initializer; an output must be computed by a node or be a graph input (add an Identity node).");
        }
        if (_outputs.Exists(o => o.Name == name))
        {
            throw new InvalidOperationException($"'{name}' is already an output of graph '{_graphName}'.");
        }
        _outputs.Add(valueInfo);
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
                    $"Cannot add {opType} node to graph '{_graphName}': its input '{input}' is not a graph input, an initializer or the output of an earlier node.");
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
        _nodes.Add(node);
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
        if (!_values.ContainsKey(hint))
        {
            return hint;
        }
        var suffix = _nextSuffix.GetValueOrDefault(hint, 1);
        string candidate;
        while (_values.ContainsKey(candidate = $"{hint}_{suffix}"))
        {
            suffix++;
        }
        _nextSuffix[hint] = suffix;
        return candidate;
    }

    /// <summary>Sets a <c>metadata_props</c> entry; setting a key again replaces its value and keeps its position.</summary>
    /// <param name="key">Key, e.g. one of <see cref="SharpShotMetadata"/>.</param>
    /// <param name="value">Value.</param>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        var existing = _metadata.Find(e => e.Key == key);
        if (existing is not null)
        {
            existing.Value = value;
        }
        else
        {
            _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
        }
    }

    /// <summary>Builds the model. The result is a fresh copy: changing it does not change this builder.</summary>
    /// <exception cref="InvalidOperationException">The graph has no output.</exception>
    public ModelProto Build()
    {
        if (_outputs.Count == 0)
        {
            throw new InvalidOperationException($"Graph '{_graphName}' has no output; call AddOutput before building the model.");
        }

        var graph = new GraphProto { Name = _graphName };
        graph.Node.AddRange(_nodes.Select(n => n.Clone()));
        graph.Initializer.AddRange(_initializers.Select(t => t.Clone()));
        graph.Input.AddRange(_inputs.Select(v => v.Clone()));
        if (OnnxVersions.InitializersMustBeInputs(IrVersion))
        {
            graph.Input.AddRange(_initializers.Select(InitializerAsInput));
        }
        graph.Output.AddRange(_outputs.Select(v => v.Clone()));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            DocString = DocString ?? string.Empty,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        model.MetadataProps.AddRange(_metadata.Select(e => e.Clone()));
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
        var bytes = ToBytes();
        AtomicFile.WriteAllBytes(path, bytes);
    }

    private void AddInitializerTensor(TensorProto tensor)
    {
        _values.Add(tensor.Name, ValueKind.Initializer);
        _initializers.Add(tensor);
    }

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

    private static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Input => "another graph input",
        ValueKind.Initializer => "an initializer",
        _ => "a node output",
    };

    private static string DefaultProducerVersion()
    {
        var assembly = typeof(OnnxGraphBuilder).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
    }
}
