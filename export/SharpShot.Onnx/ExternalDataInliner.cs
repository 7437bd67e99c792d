using System.Globalization;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx;

/// <summary>
/// Moves tensor bytes kept in external files into the model, so that it becomes one standalone file. Every tensor
/// is covered, used or not: initializers, sparse initializers and node attributes, subgraphs included.
/// </summary>
/// <remarks>
/// A model is untrusted input, and its external data locations are file paths chosen by whoever wrote it.
/// Only files inside the model's folder are read: a location that is absolute, that climbs out with <c>..</c>,
/// or that leads out through a symbolic link (on the file or on any folder on the way) is refused before
/// anything is read, and the byte range is checked against the file's length before anything is allocated.
/// ONNX Runtime checks the locations of initializers only, and drops unused nodes before it would read theirs,
/// so a model it loads without complaint may still name any file on the machine.
/// </remarks>
internal static class ExternalDataInliner
{
    public static void Inline(GraphProto graph, string? modelFolder)
    {
        var folder = modelFolder is null ? null : new ModelFolder(modelFolder);
        foreach (var (tensor, description) in Tensors(graph))
        {
            if (IsExternal(tensor))
            {
                InlineTensor(tensor, description, folder);
            }
        }
    }

    private static bool IsExternal(TensorProto tensor) => tensor.DataLocation == TensorProto.Types.DataLocation.External;

    /// <summary>Every tensor in the graph and its subgraphs, with how messages name it.</summary>
    private static IEnumerable<(TensorProto Tensor, string Description)> Tensors(GraphProto graph)
    {
        foreach (var tensor in graph.Initializer)
        {
            yield return (tensor, $"initializer '{tensor.Name}'");
        }
        foreach (var sparse in graph.SparseInitializer)
        {
            var name = sparse.Values?.Name ?? string.Empty;
            foreach (var part in SparseParts(sparse, $"sparse initializer '{name}'"))
            {
                yield return part;
            }
        }
        foreach (var node in graph.Node)
        {
            var nodeName = node.Name.Length > 0 ? $"node '{node.Name}'" : $"an unnamed {node.OpType} node";
            foreach (var attribute in node.Attribute)
            {
                var owner = $"attribute '{attribute.Name}' of {nodeName}";
                if (attribute.T is { } single)
                {
                    yield return (single, Describe(single, owner));
                }
                for (var i = 0; i < attribute.Tensors.Count; i++)
                {
                    yield return (attribute.Tensors[i], Describe(attribute.Tensors[i], $"{owner}, tensor {i}"));
                }
                if (attribute.SparseTensor is { } sparse)
                {
                    foreach (var part in SparseParts(sparse, $"the sparse tensor of {owner}"))
                    {
                        yield return part;
                    }
                }
                for (var i = 0; i < attribute.SparseTensors.Count; i++)
                {
                    foreach (var part in SparseParts(attribute.SparseTensors[i], $"sparse tensor {i} of {owner}"))
                    {
                        yield return part;
                    }
                }
                var subgraphs = attribute.G is { } g ? attribute.Graphs.Prepend(g) : attribute.Graphs;
                foreach (var subgraph in subgraphs)
                {
                    foreach (var nested in Tensors(subgraph))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }

    private static IEnumerable<(TensorProto Tensor, string Description)> SparseParts(SparseTensorProto sparse, string description)
    {
        if (sparse.Values is { } values)
        {
            yield return (values, $"the values of {description}");
        }
        if (sparse.Indices is { } indices)
        {
            yield return (indices, $"the indices of {description}");
        }
    }

    private static string Describe(TensorProto tensor, string owner) =>
        tensor.Name.Length > 0 ? $"tensor '{tensor.Name}' ({owner})" : $"the tensor of {owner}";

    /// <summary>
    /// Every file the graph's external data names, resolved and checked to lie inside <paramref name="modelFolder"/>,
    /// without reading any; for a host that hands the model file to another reader (ONNX Runtime) afterwards.
    /// </summary>
    public static IReadOnlyList<string> Locate(GraphProto graph, string? modelFolder)
    {
        var folder = modelFolder is null ? null : new ModelFolder(modelFolder);
        var files = new List<string>();
        foreach (var (tensor, description) in Tensors(graph))
        {
            if (IsExternal(tensor))
            {
                var (location, _) = ReadEntries(tensor, description, folder);
                var file = folder!.Resolve(location, description);
                if (!files.Contains(file, StringComparer.Ordinal))
                {
                    files.Add(file);
                }
            }
        }
        return files;
    }

    /// <summary>The tensor's external data entries and their location, checked; refused without a folder to look in.</summary>
    private static (string Location, Dictionary<string, string> Entries) ReadEntries(TensorProto tensor, string description, ModelFolder? folder)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in tensor.ExternalData)
        {
            // Readers disagree on which of two equal keys wins; a model that repeats one means two things.
            if (!entries.TryAdd(entry.Key, entry.Value))
            {
                throw new OnnxFormatException(
                    $"The external data of {description} gives '{entry.Key}' twice (\"{entries[entry.Key]}\" and \"{entry.Value}\"); each key may appear once.");
            }
        }
        if (!entries.TryGetValue("location", out var location) || string.IsNullOrWhiteSpace(location))
        {
            throw new OnnxFormatException($"{Capitalize(description)} is marked as external data but names no file (its 'location' entry is missing or empty).");
        }
        if (folder is null)
        {
            throw new NotSupportedException(
                $"{Capitalize(description)} keeps its bytes in the external file '{location}', and no model folder was given to find it in.");
        }
        return (location, entries);
    }

    private static void InlineTensor(TensorProto tensor, string description, ModelFolder? folder)
    {
        var (location, entries) = ReadEntries(tensor, description, folder);
        var offset = ReadNumber(entries, "offset", description) ?? 0;
        var recordedLength = ReadNumber(entries, "length", description);
        var expectedLength = ExpectedLength(tensor, description);
        if (recordedLength is { } recorded && expectedLength is { } expected && recorded != expected)
        {
            throw new OnnxFormatException(
                $"{Capitalize(description)} takes {recorded} bytes of '{location}', but its shape {TensorData.FormatDims(tensor.Dims)} " +
                $"of {(OnnxElementType)tensor.DataType} needs {expected}.");
        }

        var file = folder!.Resolve(location, description);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            var fileLength = stream.Length;
            var length = recordedLength ?? expectedLength ?? fileLength - offset;
            if (offset > fileLength || length < 0 || length > fileLength - offset)
            {
                throw new OnnxFormatException(
                    $"{Capitalize(description)} takes {length} bytes at offset {offset} of '{location}', but that file holds {fileLength} bytes.");
            }
            if (length > Array.MaxLength)
            {
                throw new NotSupportedException(
                    $"{Capitalize(description)} takes {length} bytes of '{location}', more than one protobuf model can hold inline (2 GiB).");
            }
            bytes = new byte[length];
            stream.Position = offset;
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The external data of {description} could not be read from '{file}' (location '{location}'): {e.Message}", e);
        }
        // The array is ours alone and never written again, so the tensor may hold it without a copy.
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
    }

    /// <summary>The byte size the tensor's type and shape call for; null for types without a fixed width.</summary>
    private static long? ExpectedLength(TensorProto tensor, string description)
    {
        if (tensor.Dims.Any(d => d < 0))
        {
            throw new OnnxFormatException($"{Capitalize(description)} has a negative dimension in its shape {TensorData.FormatDims(tensor.Dims)}.");
        }
        return TensorData.ByteCount((OnnxElementType)tensor.DataType, tensor.Dims);
    }

    private static long? ReadNumber(Dictionary<string, string> entries, string key, string description)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new OnnxFormatException($"The external data {key} of {description} is \"{text}\", not a non-negative integer.");
        }
        return value;
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The folder of the model file, resolved once, and the only place external data is read from.</summary>
    private sealed class ModelFolder(string path)
    {
        private readonly string _given = Path.GetFullPath(path);
        private string? _resolved;

        /// <summary>
        /// The real path of the file <paramref name="location"/> names, checked to lie inside the folder; text checks
        /// first (absolute, <c>..</c> climbing out), then the resolved path (links leading out).
        /// </summary>
        public string Resolve(string location, string description)
        {
            if (Path.IsPathRooted(location) || location[0] is '/' or '\\')
            {
                throw Refuse(description, location, "it is an absolute path; ONNX external data must be named relative to the model's folder");
            }
            // Both separators count here, whatever the platform: a location is refused if it climbs out on any of them.
            var depth = 0;
            foreach (var segment in location.Split('/', '\\'))
            {
                depth += segment switch { "" or "." => 0, ".." => -1, _ => 1 };
                if (depth < 0)
                {
                    throw Refuse(description, location, "its '..' segments lead out of the model's folder");
                }
            }

            string file;
            try
            {
                _resolved ??= RealPath.Resolve(_given);
                file = RealPath.Resolve(Path.Join(_resolved, location));
            }
            catch (IOException e)
            {
                throw new IOException($"The external data location '{location}' of {description} could not be resolved: {e.Message}", e);
            }
            if (file != _resolved && !RealPath.IsBelow(file, _resolved))
            {
                throw Refuse(description, location, $"a symbolic link on the way leads to '{file}', outside the model's folder");
            }
            if (file == _resolved || Directory.Exists(file))
            {
                throw new OnnxFormatException($"The external data location '{location}' of {description} names a folder, not a file.");
            }
            return file;
        }

        private OnnxFormatException Refuse(string description, string location, string why) =>
            new($"{Capitalize(description)} names the external data file '{location}', which is refused: {why}. " +
                $"Only files inside the model's folder '{_given}' are read.");
    }
}
