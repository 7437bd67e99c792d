using System.Collections.ObjectModel;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// What an ONNX model file declares: versions, producer, graph signature and metadata. Reading checks
/// that the bytes are an ONNX model (parse, graph, IR version, opset) but does not validate operators.
/// </summary>
public sealed class OnnxModelInfo
{
    private OnnxModelInfo(ModelProto proto, string source, string? filePath)
    {
        Proto = proto;
        IrVersion = proto.IrVersion;
        ProducerName = proto.ProducerName;
        ProducerVersion = proto.ProducerVersion;
        OpsetImports = ReadOpsets(proto, source, filePath);
        Metadata = new ReadOnlyDictionary<string, string>(
            proto.MetadataProps.GroupBy(e => e.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal));

        var initializerNames = proto.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        // Before IR version 4 every initializer is also listed as an input; those are weights, not data to feed.
        Inputs = proto.Graph.Input.Where(v => !initializerNames.Contains(v.Name)).Select(ToValueInfo).ToArray();
        Outputs = proto.Graph.Output.Select(ToValueInfo).ToArray();
    }

    /// <summary>The IR (file format) version the model declares.</summary>
    public long IrVersion { get; }

    /// <summary>Imported operator sets by domain; the default ONNX domain is the empty string.</summary>
    public IReadOnlyDictionary<string, long> OpsetImports { get; }

    /// <summary>Name of the tool that wrote the model.</summary>
    public string ProducerName { get; }

    /// <summary>Version of the tool that wrote the model.</summary>
    public string ProducerVersion { get; }

    /// <summary>Graph inputs to feed data to: declared inputs that are not initializers.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>The model's <c>metadata_props</c>; see <see cref="SharpShotMetadata"/> for the keys SharpShot writes.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The parsed model, for anything the properties above do not cover.</summary>
    public ModelProto Proto { get; }

    /// <summary>Reads a model file.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxFormatException">The file is not an ONNX model.</exception>
    public static OnnxModelInfo Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model file '{fullPath}' was not found.", fullPath);
        }
        return Parse(File.ReadAllBytes(fullPath), $"'{fullPath}'", fullPath);
    }

    /// <summary>Reads a model from its serialized bytes.</summary>
    /// <param name="bytes">The contents of an <c>.onnx</c> file.</param>
    /// <exception cref="OnnxFormatException">The bytes are not an ONNX model.</exception>
    public static OnnxModelInfo Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(bytes, $"The in-memory model ({bytes.Length} bytes)", filePath: null);
    }

    /// <summary>Reads a model from bytes already read from <paramref name="filePath"/>, which messages name.</summary>
    /// <param name="bytes">The contents of the file.</param>
    /// <param name="filePath">The file the bytes came from.</param>
    /// <exception cref="OnnxFormatException">The bytes are not an ONNX model.</exception>
    public static OnnxModelInfo Read(byte[] bytes, string filePath)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var fullPath = Path.GetFullPath(filePath);
        return Parse(bytes, $"'{fullPath}'", fullPath);
    }

    /// <summary>
    /// Every file the model's external data names (initializers, node attributes, sparse tensors, subgraphs), resolved
    /// and checked to lie inside <paramref name="modelFolder"/>, without reading any. A host calls this before handing
    /// the model file to a reader that would follow the locations itself: a model is untrusted, and its locations are
    /// paths chosen by whoever wrote it.
    /// </summary>
    /// <param name="modelFolder">The folder of the model file; <see langword="null"/> for a model that has no file, which then may name none.</param>
    /// <returns>The distinct files, resolved (no symbolic link left); empty when every tensor is stored inline.</returns>
    /// <exception cref="OnnxFormatException">A location is absolute, climbs out of the folder, leads out through a symbolic link, names a folder, or is malformed.</exception>
    /// <exception cref="NotSupportedException">The model names external data and <paramref name="modelFolder"/> is <see langword="null"/>.</exception>
    /// <exception cref="IOException">A location cannot be resolved (e.g. a cycle of links).</exception>
    public IReadOnlyList<string> ExternalDataFiles(string? modelFolder) => ExternalDataInliner.Locate(Proto.Graph, modelFolder);

    private static OnnxModelInfo Parse(byte[] bytes, string source, string? filePath)
    {
        if (bytes.Length == 0)
        {
            throw new OnnxFormatException(filePath, $"{source} is not an ONNX model: it is empty.", null);
        }

        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException(filePath,
                $"{source} is not an ONNX model: its bytes are not a valid protobuf ModelProto ({e.Message}). The file may be truncated or of another format.", e);
        }

        // Protobuf parses many non-ONNX byte strings as messages made of unknown fields, so the fields
        // every model has are what tell a model from noise.
        if (proto.IrVersion <= 0)
        {
            throw new OnnxFormatException(filePath,
                $"{source} is not an ONNX model: it declares no IR version (ir_version is {proto.IrVersion}).", null);
        }
        if (proto.Graph is null)
        {
            throw new OnnxFormatException(filePath, $"{source} is not an ONNX model: it has no graph.", null);
        }
        if (proto.OpsetImport.Count == 0)
        {
            throw new OnnxFormatException(filePath,
                $"{source} is not a usable ONNX model: it imports no operator set (opset_import is empty), so its operators have no meaning.", null);
        }
        return new OnnxModelInfo(proto, source, filePath);
    }

    private static ReadOnlyDictionary<string, long> ReadOpsets(ModelProto proto, string source, string? filePath)
    {
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var import in proto.OpsetImport)
        {
            // "ai.onnx" is the spelled-out name of the default domain.
            var domain = import.Domain == "ai.onnx" ? string.Empty : import.Domain;
            if (!opsets.TryAdd(domain, import.Version))
            {
                throw new OnnxFormatException(filePath,
                    $"{source} is not a valid ONNX model: it imports the operator set domain '{domain}' twice.", null);
            }
        }
        return new ReadOnlyDictionary<string, long>(opsets);
    }

    /// <summary>A declared graph input or output as the public record; values that are not tensors get <see cref="OnnxElementType.Undefined"/>.</summary>
    internal static OnnxValueInfo ToValueInfo(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { } tensor)
        {
            return new OnnxValueInfo(value.Name, OnnxElementType.Undefined, []);
        }
        var shape = tensor.Shape?.Dim.Select(ToDimension).ToArray() ?? [];
        return new OnnxValueInfo(value.Name, (OnnxElementType)tensor.ElemType, shape);
    }

    private static OnnxDimension ToDimension(TensorShapeProto.Types.Dimension dim) => dim.ValueCase switch
    {
        // Some older exporters wrote -1 for "dynamic"; it is an unknown size, not an error.
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue when dim.DimValue >= 0 => OnnxDimension.Fixed(dim.DimValue),
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam when !string.IsNullOrWhiteSpace(dim.DimParam) => OnnxDimension.Symbolic(dim.DimParam),
        _ => OnnxDimension.Unknown,
    };
}
