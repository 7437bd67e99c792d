using System.Text.Json;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Serving;

/// <summary>A request the protocol cannot accept: answered with 400 and the protocol's <c>{"error": "..."}</c>.</summary>
public sealed class InferenceRequestException(string message) : Exception(message);

/// <summary>An inference request as the Open Inference Protocol's JSON form gives it.</summary>
internal sealed record InferenceRequest(string? Id, Dictionary<string, OnnxTensor> Inputs, IReadOnlyList<string>? Outputs);

/// <summary>The Open Inference Protocol's JSON tensors: data types, request parsing (flat or nested row-major data), response writing.</summary>
internal static class InferenceJson
{
    private static readonly (string Name, OnnxElementType Type)[] DataTypes =
    [
        ("BOOL", OnnxElementType.Bool), ("UINT8", OnnxElementType.Uint8), ("UINT16", OnnxElementType.Uint16), ("UINT32", OnnxElementType.Uint32),
        ("UINT64", OnnxElementType.Uint64), ("INT8", OnnxElementType.Int8), ("INT16", OnnxElementType.Int16), ("INT32", OnnxElementType.Int32),
        ("INT64", OnnxElementType.Int64), ("FP16", OnnxElementType.Float16), ("FP32", OnnxElementType.Float), ("FP64", OnnxElementType.Double),
    ];

    /// <summary>The protocol's name of an element type; null when it has none the host serves.</summary>
    public static string? DataTypeOf(OnnxElementType type) => DataTypes.FirstOrDefault(d => d.Type == type).Name;

    private static OnnxElementType ElementTypeOf(string datatype, string input) =>
        DataTypes.FirstOrDefault(d => d.Name == datatype) is { Name: not null } match ? match.Type
            : throw new InferenceRequestException($"Input '{input}' has datatype '{datatype}'; expected one of {string.Join(", ", DataTypes.Select(d => d.Name))}.");

    /// <summary>Parses a request body.</summary>
    /// <exception cref="InferenceRequestException">Not valid JSON, or not an inference request; the message names the field.</exception>
    public static InferenceRequest Parse(ReadOnlyMemory<byte> body, long maxElements)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InferenceRequestException($"The request body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InferenceRequestException($"The request body is a JSON {root.ValueKind}; expected an object with \"inputs\".");
            }

            string? id = root.TryGetProperty("id", out JsonElement idElement)
                ? idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw new InferenceRequestException("\"id\" must be a string.")
                : null;
            if (!root.TryGetProperty("inputs", out JsonElement inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
            {
                throw new InferenceRequestException("The request needs \"inputs\": a non-empty array of tensors.");
            }

            var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            foreach (JsonElement input in inputs.EnumerateArray())
            {
                var (name, tensor) = ParseInput(input, maxElements);
                if (!tensors.TryAdd(name, tensor))
                {
                    throw new InferenceRequestException($"Input '{name}' is given twice.");
                }
            }

            List<string>? outputs = null;
            if (root.TryGetProperty("outputs", out JsonElement requested))
            {
                if (requested.ValueKind != JsonValueKind.Array)
                {
                    throw new InferenceRequestException("\"outputs\" must be an array of {\"name\": ...} objects.");
                }

                outputs = requested.EnumerateArray()
                    .Select(o => o.ValueKind == JsonValueKind.Object && o.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String
                        ? n.GetString()!
                        : throw new InferenceRequestException("Each of \"outputs\" must be an object with a string \"name\"."))
                    .ToList();
            }

            return new InferenceRequest(id, tensors, outputs);
        }
    }

    private static (string Name, OnnxTensor Tensor) ParseInput(JsonElement input, long maxElements)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw new InferenceRequestException("Each of \"inputs\" must be an object with \"name\", \"shape\", \"datatype\" and \"data\".");
        }

        string name = input.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new InferenceRequestException("An input has no string \"name\".");
        string datatype = input.TryGetProperty("datatype", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : throw new InferenceRequestException($"Input '{name}' has no string \"datatype\".");
        if (!input.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceRequestException($"Input '{name}' has no \"shape\" array.");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int axis = 0;
        foreach (JsonElement dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size) || size < 0)
            {
                throw new InferenceRequestException($"Axis {axis} of input '{name}' is {dim}; expected a whole number of at least 0.");
            }

            shape[axis++] = size;
            count = size == 0 || count == 0 ? 0 : count > maxElements / Math.Max(size, 1) ? maxElements + 1 : count * size;
        }

        if (count > maxElements)
        {
            throw new InferenceRequestException($"Input '{name}' of shape [{string.Join(", ", shape)}] holds more than {maxElements:N0} values, the most one tensor may hold.");
        }

        OnnxElementType type = ElementTypeOf(datatype, name);
        if (!input.TryGetProperty("data", out JsonElement data))
        {
            throw new InferenceRequestException($"Input '{name}' has no \"data\" (the binary tensor extension is not supported yet: send JSON data).");
        }

        var values = new List<JsonElement>((int)count);
        Flatten(data, values, name, (int)count);
        if (values.Count != count)
        {
            throw new InferenceRequestException($"Input '{name}' of shape [{string.Join(", ", shape)}] needs {count:N0} values; \"data\" holds {values.Count:N0}.");
        }

        return (name, Tensor(type, values, shape, name, datatype));
    }

    private static void Flatten(JsonElement data, List<JsonElement> values, string name, int limit)
    {
        if (data.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in data.EnumerateArray())
            {
                Flatten(item, values, name, limit);
            }

            return;
        }

        if (values.Count >= limit)
        {
            // More values than the shape holds: stop collecting (the count check reports it).
            values.Add(data);
            throw new InferenceRequestException($"Input '{name}' has more values in \"data\" than its shape holds ({limit:N0}).");
        }

        values.Add(data);
    }

    private static OnnxTensor Tensor(OnnxElementType type, List<JsonElement> values, long[] shape, string name, string datatype)
    {
        T[] Convert<T>(Func<JsonElement, (bool Ok, T Value)> read)
        {
            var result = new T[values.Count];
            for (int i = 0; i < result.Length; i++)
            {
                var (ok, value) = read(values[i]);
                result[i] = ok ? value : throw new InferenceRequestException($"Value {i} of input '{name}' is {Show(values[i])}; not a {datatype}.");
            }

            return result;
        }

        static (bool, double) Number(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) ? (true, v) : (false, 0);
        static (bool, long) Integer(JsonElement e, long min, long max) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= min && v <= max ? (true, v) : (false, 0);

        return type switch
        {
            OnnxElementType.Float => OnnxTensor.Create(Convert(e => Number(e) is (true, var v) ? (true, (float)v) : (false, 0f)), shape),
            OnnxElementType.Double => OnnxTensor.Create(Convert(e => Number(e)), shape),
            OnnxElementType.Float16 => OnnxTensor.Create(Convert(e => Number(e) is (true, var v) ? (true, (Half)v) : (false, default(Half))), shape),
            OnnxElementType.Bool => OnnxTensor.Create(Convert(e => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? (true, e.GetBoolean()) : (false, false)), shape),
            OnnxElementType.Int8 => OnnxTensor.Create(Convert(e => Integer(e, sbyte.MinValue, sbyte.MaxValue) is (true, var v) ? (true, (sbyte)v) : (false, (sbyte)0)), shape),
            OnnxElementType.Uint8 => OnnxTensor.Create(Convert(e => Integer(e, 0, byte.MaxValue) is (true, var v) ? (true, (byte)v) : (false, (byte)0)), shape),
            OnnxElementType.Int16 => OnnxTensor.Create(Convert(e => Integer(e, short.MinValue, short.MaxValue) is (true, var v) ? (true, (short)v) : (false, (short)0)), shape),
            OnnxElementType.Uint16 => OnnxTensor.Create(Convert(e => Integer(e, 0, ushort.MaxValue) is (true, var v) ? (true, (ushort)v) : (false, (ushort)0)), shape),
            OnnxElementType.Int32 => OnnxTensor.Create(Convert(e => Integer(e, int.MinValue, int.MaxValue) is (true, var v) ? (true, (int)v) : (false, 0)), shape),
            OnnxElementType.Uint32 => OnnxTensor.Create(Convert(e => Integer(e, 0, uint.MaxValue) is (true, var v) ? (true, (uint)v) : (false, 0u)), shape),
            OnnxElementType.Int64 => OnnxTensor.Create(Convert(e => Integer(e, long.MinValue, long.MaxValue)), shape),
            OnnxElementType.Uint64 => OnnxTensor.Create(Convert(e => e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong v) ? (true, v) : (false, 0UL)), shape),
            _ => throw new InferenceRequestException($"Input '{name}' has datatype '{datatype}', which the host does not serve."),
        };
    }

    private static string Show(JsonElement value)
    {
        string text = value.GetRawText();
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    /// <summary>Writes an inference response: the model's name, the request's id, each output's name, shape, datatype and row-major data.</summary>
    public static void WriteResponse(Utf8JsonWriter writer, string modelName, string? id, IReadOnlyDictionary<string, OnnxTensor> outputs)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", modelName);
        writer.WriteString("model_version", "1");
        if (id is not null)
        {
            writer.WriteString("id", id);
        }

        writer.WriteStartArray("outputs");
        foreach (var (name, tensor) in outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteStartArray("shape");
            foreach (long dim in tensor.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WriteString("datatype", DataTypeOf(tensor.ElementType) ?? tensor.ElementType.ToString().ToUpperInvariant());
            writer.WriteStartArray("data");
            WriteData(writer, tensor.Data);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteData(Utf8JsonWriter writer, Array data)
    {
        switch (data)
        {
            case float[] f:
                foreach (float v in f)
                {
                    if (float.IsFinite(v))
                    {
                        writer.WriteNumberValue(v);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }

                break;
            case double[] d:
                foreach (double v in d)
                {
                    WriteFloating(writer, v);
                }

                break;
            case Half[] h:
                foreach (Half v in h)
                {
                    WriteFloating(writer, (float)v);
                }

                break;
            case bool[] b:
                foreach (bool v in b)
                {
                    writer.WriteBooleanValue(v);
                }

                break;
            case ulong[] u:
                foreach (ulong v in u)
                {
                    writer.WriteNumberValue(v);
                }

                break;
            default:
                foreach (object? v in data)
                {
                    writer.WriteNumberValue(System.Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
                }

                break;
        }
    }

    // JSON has no NaN or infinities: they are written as null (the tensor still has its length).
    private static void WriteFloating(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
