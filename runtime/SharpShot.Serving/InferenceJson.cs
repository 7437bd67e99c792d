using System.Text.Json;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Serving;

/// <summary>A request the protocol cannot accept: answered with 400 and the protocol's <c>{"error": "..."}</c>.</summary>
public sealed class InferenceRequestException(string message) : Exception(message);

/// <summary>
/// An inference request as the Open Inference Protocol gives it: the tensors, the outputs asked for, and which outputs
/// go back as binary data (the binary tensor data extension: the request's <c>binary_data_output</c>, overridden per
/// output by <c>binary_data</c>).
/// </summary>
internal sealed record InferenceRequest(string? Id, Dictionary<string, OnnxTensor> Inputs, IReadOnlyList<string>? Outputs, bool BinaryByDefault, IReadOnlyDictionary<string, bool> BinaryOfOutput)
{
    /// <summary>Whether <paramref name="output"/> is answered as binary data after the JSON header.</summary>
    public bool WantsBinary(string output) => BinaryOfOutput.TryGetValue(output, out bool binary) ? binary : BinaryByDefault;
}

/// <summary>
/// The Open Inference Protocol's tensors: data types, request parsing (JSON data, flat or nested row-major, or binary data
/// after the JSON header), response writing.
/// </summary>
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

    /// <summary>The header that gives the JSON part's length when binary tensor data follows it.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    /// <summary>Parses a request body: all JSON, or (<paramref name="headerLength"/> given) a JSON header of that many bytes followed by the inputs' binary data in input order.</summary>
    /// <exception cref="InferenceRequestException">Not valid JSON, or not an inference request; the message names the field.</exception>
    public static InferenceRequest Parse(ReadOnlyMemory<byte> body, long? headerLength, long maxElements)
    {
        if (headerLength is < 0 || headerLength > body.Length)
        {
            throw new InferenceRequestException($"{HeaderLengthHeader} is {headerLength}; the body holds {body.Length:N0} bytes.");
        }

        ReadOnlyMemory<byte> json = headerLength is { } length ? body[..(int)length] : body;
        var binary = new BinarySection(headerLength is { } start ? body[(int)start..] : ReadOnlyMemory<byte>.Empty);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
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
                var (name, tensor) = ParseInput(input, binary, maxElements);
                if (!tensors.TryAdd(name, tensor))
                {
                    throw new InferenceRequestException($"Input '{name}' is given twice.");
                }
            }

            if (binary.Remaining > 0)
            {
                throw new InferenceRequestException($"The body holds {binary.Remaining:N0} bytes of binary data after the inputs' binary_data_size; expected none.");
            }

            List<string>? outputs = null;
            var binaryOfOutput = new Dictionary<string, bool>(StringComparer.Ordinal);
            if (root.TryGetProperty("outputs", out JsonElement requested))
            {
                if (requested.ValueKind != JsonValueKind.Array)
                {
                    throw new InferenceRequestException("\"outputs\" must be an array of {\"name\": ...} objects.");
                }

                outputs = [];
                foreach (JsonElement output in requested.EnumerateArray())
                {
                    string name = output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String
                        ? n.GetString()!
                        : throw new InferenceRequestException("Each of \"outputs\" must be an object with a string \"name\".");
                    outputs.Add(name);
                    if (BoolParameter(output, "binary_data", $"output '{name}'") is { } wanted)
                    {
                        binaryOfOutput[name] = wanted;
                    }
                }
            }

            bool binaryByDefault = BoolParameter(root, "binary_data_output", "the request") ?? false;
            return new InferenceRequest(id, tensors, outputs, binaryByDefault, binaryOfOutput);
        }
    }

    /// <summary>A boolean in an object's <c>"parameters"</c>; null when absent.</summary>
    private static bool? BoolParameter(JsonElement owner, string parameter, string where)
    {
        if (Parameters(owner, where) is not { } parameters || !parameters.TryGetProperty(parameter, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new InferenceRequestException($"Parameter \"{parameter}\" of {where} is {Show(value)}; expected true or false.");
    }

    private static JsonElement? Parameters(JsonElement owner, string where)
    {
        if (!owner.TryGetProperty("parameters", out JsonElement parameters))
        {
            return null;
        }

        return parameters.ValueKind == JsonValueKind.Object
            ? parameters
            : throw new InferenceRequestException($"\"parameters\" of {where} is a JSON {parameters.ValueKind}; expected an object.");
    }

    /// <summary>The binary data after the JSON header, handed out to the inputs in order.</summary>
    private sealed class BinarySection(ReadOnlyMemory<byte> data)
    {
        private int _offset;

        public int Remaining => data.Length - _offset;

        public ReadOnlySpan<byte> Take(long size, string input)
        {
            if (size > Remaining)
            {
                throw new InferenceRequestException(
                    $"Input '{input}' has binary_data_size {size:N0}, but only {Remaining:N0} bytes of binary data are left in the body (is {HeaderLengthHeader} set?).");
            }

            ReadOnlySpan<byte> slice = data.Span.Slice(_offset, (int)size);
            _offset += (int)size;
            return slice;
        }
    }

    private static (string Name, OnnxTensor Tensor) ParseInput(JsonElement input, BinarySection binary, long maxElements)
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
        if (Parameters(input, $"input '{name}'") is { } parameters && parameters.TryGetProperty("binary_data_size", out JsonElement sizeElement))
        {
            return (name, BinaryInput(input, binary, sizeElement, name, type, datatype, shape, count));
        }

        if (!input.TryGetProperty("data", out JsonElement data))
        {
            throw new InferenceRequestException($"Input '{name}' has neither \"data\" nor the parameter \"binary_data_size\".");
        }

        var values = new List<JsonElement>((int)count);
        Flatten(data, values, name, (int)count);
        if (values.Count != count)
        {
            throw new InferenceRequestException($"Input '{name}' of shape [{string.Join(", ", shape)}] needs {count:N0} values; \"data\" holds {values.Count:N0}.");
        }

        return (name, Tensor(type, values, shape, name, datatype));
    }

    private static OnnxTensor BinaryInput(JsonElement input, BinarySection binary, JsonElement sizeElement, string name, OnnxElementType type, string datatype, long[] shape, long count)
    {
        if (input.TryGetProperty("data", out _))
        {
            throw new InferenceRequestException($"Input '{name}' has both \"data\" and \"binary_data_size\"; send its values one way.");
        }

        long expected = count * OnnxTensor.ElementSize(type);
        if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out long size) || size != expected)
        {
            throw new InferenceRequestException(
                $"Input '{name}' ({datatype} [{string.Join(", ", shape)}]) has binary_data_size {Show(sizeElement)}; expected {expected:N0} bytes.");
        }

        return OnnxTensor.FromBytes(type, binary.Take(size, name), shape);
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

    /// <summary>
    /// Writes an inference response: the model's name, the request's id, each output's name, shape, datatype and either its
    /// row-major data or (<paramref name="binary"/> true for it) the parameter <c>binary_data_size</c>, its bytes then following the JSON in output order.
    /// </summary>
    public static void WriteResponse(Utf8JsonWriter writer, string modelName, string? id, IReadOnlyDictionary<string, OnnxTensor> outputs, Func<string, bool> binary)
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
            if (binary(name))
            {
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", tensor.ByteCount);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray("data");
                WriteData(writer, tensor.Data);
                writer.WriteEndArray();
            }

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
