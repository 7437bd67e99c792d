using System.Globalization;
using System.Text;

namespace SharpShot.Onnx;

/// <summary>How <see cref="TritonRepository.Write"/> configures the model for Triton.</summary>
public sealed record TritonOptions
{
    /// <summary>Default of <see cref="MaxBatchSize"/>.</summary>
    public const int DefaultMaxBatchSize = 64;

    /// <summary>The model's name in the repository and in the routes (<c>/v2/models/{name}</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Triton's <c>max_batch_size</c> when every input and output has an open first axis (else 0 is written: no batching).</summary>
    public int MaxBatchSize { get; init; } = DefaultMaxBatchSize;

    /// <summary>Dynamic batching's <c>max_queue_delay_microseconds</c>.</summary>
    public int MaxQueueDelayMicroseconds { get; init; } = 100;

    /// <summary>Instances of the model (<c>instance_group.count</c>).</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Run on GPUs (<c>KIND_GPU</c>) rather than CPUs (<c>KIND_CPU</c>).</summary>
    public bool Gpu { get; init; }
}

/// <summary>What <see cref="TritonRepository.Write"/> wrote.</summary>
/// <param name="ModelFolder">The model's folder in the repository (holding <c>config.pbtxt</c> and <c>1/</c>).</param>
/// <param name="Config">The <c>config.pbtxt</c> text.</param>
/// <param name="Batched">Whether the model is configured for batching (<c>max_batch_size</c> above 0, dynamic batching on).</param>
/// <param name="Files">Every file written, model and external data included.</param>
public sealed record TritonRepositoryResult(string ModelFolder, string Config, bool Batched, IReadOnlyList<string> Files);

/// <summary>
/// Writes a Triton Inference Server model repository for an ONNX model: <c>NAME/config.pbtxt</c> (backend
/// <c>onnxruntime</c>, inputs and outputs with Triton data types, dims without the batch axis when batching) and
/// <c>NAME/1/model.onnx</c> with any external-data files beside it. KServe serves the same repository.
/// </summary>
public static class TritonRepository
{
    private static readonly Dictionary<OnnxElementType, string> DataTypes = new()
    {
        [OnnxElementType.Bool] = "TYPE_BOOL", [OnnxElementType.Uint8] = "TYPE_UINT8", [OnnxElementType.Uint16] = "TYPE_UINT16",
        [OnnxElementType.Uint32] = "TYPE_UINT32", [OnnxElementType.Uint64] = "TYPE_UINT64", [OnnxElementType.Int8] = "TYPE_INT8",
        [OnnxElementType.Int16] = "TYPE_INT16", [OnnxElementType.Int32] = "TYPE_INT32", [OnnxElementType.Int64] = "TYPE_INT64",
        [OnnxElementType.Float16] = "TYPE_FP16", [OnnxElementType.Float] = "TYPE_FP32", [OnnxElementType.Double] = "TYPE_FP64",
        [OnnxElementType.String] = "TYPE_STRING", [OnnxElementType.BFloat16] = "TYPE_BF16",
    };

    /// <summary>Writes the repository entry; an existing version folder is replaced only with <paramref name="overwrite"/>.</summary>
    /// <exception cref="OnnxFormatException">Not an ONNX model, a tensor type Triton has no name for, or external data outside the model's folder.</exception>
    /// <exception cref="IOException">The version folder exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="ArgumentException">A name Triton cannot use as a folder, or non-positive counts.</exception>
    public static TritonRepositoryResult Write(string modelPath, string repository, TritonOptions options, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Name) || options.Name is "." or ".." || options.Name.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0)
        {
            throw new ArgumentException($"'{options.Name}' cannot be a model name: it must be a plain folder name.", nameof(options));
        }

        if (options.MaxBatchSize < 1 || options.Instances < 1 || options.MaxQueueDelayMicroseconds < 0)
        {
            throw new ArgumentException($"MaxBatchSize and Instances must be at least 1 and the queue delay at least 0; got {options.MaxBatchSize}, {options.Instances}, {options.MaxQueueDelayMicroseconds}.", nameof(options));
        }

        string source = Path.GetFullPath(modelPath);
        OnnxModelInfo info = OnnxModelInfo.Read(source);
        IReadOnlyList<string> external = info.ExternalDataFiles(Path.GetDirectoryName(source));
        string config = Config(info, options, out bool batched);

        string modelFolder = Path.Combine(Path.GetFullPath(repository), options.Name);
        string versionFolder = Path.Combine(modelFolder, "1");
        if (Directory.Exists(versionFolder) && !overwrite)
        {
            throw new IOException($"'{versionFolder}' exists already; choose another --name or --out, or overwrite it.");
        }

        if (Directory.Exists(versionFolder))
        {
            Directory.Delete(versionFolder, recursive: true);
        }

        Directory.CreateDirectory(versionFolder);
        var files = new List<string>();
        string target = Path.Combine(versionFolder, "model.onnx");
        File.Copy(source, target);
        files.Add(target);
        string sourceFolder = Path.GetDirectoryName(source)!;
        foreach (string file in external)
        {
            // Checked to lie inside the model's folder: keep the same relative place beside the copy.
            string relative = Path.GetRelativePath(RealPath.Resolve(sourceFolder), file);
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            {
                throw new OnnxFormatException($"The external data file '{file}' is not inside the model's folder '{sourceFolder}'.");
            }

            string copy = Path.Combine(versionFolder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy, overwrite: true);
            files.Add(copy);
        }

        string configPath = Path.Combine(modelFolder, "config.pbtxt");
        AtomicFile.WriteAllBytes(configPath, Encoding.UTF8.GetBytes(config));
        files.Add(configPath);
        return new TritonRepositoryResult(modelFolder, config, batched, files);
    }

    /// <summary>The <c>config.pbtxt</c> text for the model.</summary>
    public static string Config(OnnxModelInfo info, TritonOptions options, out bool batched)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(options);
        var values = info.Inputs.Concat(info.Outputs).ToArray();
        // Triton batches only when every tensor's first axis is the (open) batch axis.
        batched = values.Length > 0 && values.All(v => v.Shape.Count > 0 && v.Shape[0].Value is null);
        var text = new StringBuilder();
        text.Append("name: \"").Append(options.Name).Append("\"\n");
        text.Append("backend: \"onnxruntime\"\n");
        text.Append("max_batch_size: ").Append(batched ? options.MaxBatchSize : 0).Append('\n');
        Tensors(text, "input", info.Inputs, batched);
        Tensors(text, "output", info.Outputs, batched);
        if (batched)
        {
            text.Append("dynamic_batching {\n  max_queue_delay_microseconds: ").Append(options.MaxQueueDelayMicroseconds).Append("\n}\n");
        }

        text.Append("instance_group [\n  {\n    count: ").Append(options.Instances).Append("\n    kind: ").Append(options.Gpu ? "KIND_GPU" : "KIND_CPU").Append("\n  }\n]\n");
        return text.ToString();
    }

    private static void Tensors(StringBuilder text, string kind, IReadOnlyList<OnnxValueInfo> values, bool batched)
    {
        text.Append(kind).Append(" [\n");
        for (int i = 0; i < values.Count; i++)
        {
            OnnxValueInfo value = values[i];
            if (!DataTypes.TryGetValue(value.ElementType, out string? type))
            {
                throw new OnnxFormatException($"The {kind} '{value.Name}' holds {value.ElementType} values, which Triton has no data type for.");
            }

            IEnumerable<OnnxDimension> dims = batched ? value.Shape.Skip(1) : value.Shape;
            string list = string.Join(", ", dims.Select(d => (d.Value ?? -1).ToString(CultureInfo.InvariantCulture)));
            // A tensor without axes (a scalar) is written as [ 1 ] with a reshape to [], as Triton expects.
            bool scalar = !dims.Any();
            text.Append("  {\n    name: \"").Append(value.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"\n");
            text.Append("    data_type: ").Append(type).Append('\n');
            text.Append("    dims: [ ").Append(scalar ? "1" : list).Append(" ]\n");
            if (scalar)
            {
                text.Append("    reshape: { shape: [ ] }\n");
            }

            text.Append(i == values.Count - 1 ? "  }\n" : "  },\n");
        }

        text.Append("]\n");
    }
}
