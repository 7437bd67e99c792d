using System.Globalization;
using System.Text;

namespace SharpShot.Tool.Tests;

/// <summary>
/// A protobuf text-format reader and a schema of the parts of Triton's <c>ModelConfig</c> (model_config.proto, as its
/// documentation describes them) a generated <c>config.pbtxt</c> may use: unknown fields, wrong kinds, unknown enum
/// values and the batching rules are reported as errors.
/// </summary>
internal static class TritonConfigSchema
{
    public sealed class Message
    {
        public List<(string Field, object Value)> Fields { get; } = [];

        public IEnumerable<object> All(string field) => Fields.Where(f => f.Field == field).Select(f => f.Value);

        public object? One(string field) => All(field).SingleOrDefault();

        /// <summary>The messages of a repeated field, written one by one or as a list.</summary>
        public IEnumerable<Message> Messages(string field) =>
            All(field).SelectMany(v => v is List<object> list ? list.OfType<Message>() : v is Message m ? [m] : []);
    }

    private static readonly string[] DataTypes =
        ["TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT8", "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16"];

    // field → kind: "string", "int", "bool", "enum:A|B", "message:Type", "ints" (repeated int), "messages:Type" (repeated message)
    private static readonly Dictionary<string, Dictionary<string, string>> Schema = new()
    {
        ["ModelConfig"] = new() { ["name"] = "string", ["platform"] = "string", ["backend"] = "string", ["max_batch_size"] = "int", ["input"] = "messages:ModelInput", ["output"] = "messages:ModelOutput", ["dynamic_batching"] = "message:ModelDynamicBatching", ["instance_group"] = "messages:ModelInstanceGroup" },
        ["ModelInput"] = new() { ["name"] = "string", ["data_type"] = "enum:" + string.Join('|', DataTypes), ["dims"] = "ints", ["reshape"] = "message:ModelTensorReshape", ["optional"] = "bool" },
        ["ModelOutput"] = new() { ["name"] = "string", ["data_type"] = "enum:" + string.Join('|', DataTypes), ["dims"] = "ints", ["reshape"] = "message:ModelTensorReshape", ["label_filename"] = "string" },
        ["ModelTensorReshape"] = new() { ["shape"] = "ints" },
        ["ModelDynamicBatching"] = new() { ["preferred_batch_size"] = "ints", ["max_queue_delay_microseconds"] = "int", ["preserve_ordering"] = "bool" },
        ["ModelInstanceGroup"] = new() { ["name"] = "string", ["kind"] = "enum:KIND_AUTO|KIND_GPU|KIND_CPU|KIND_MODEL", ["count"] = "int", ["gpus"] = "ints" },
    };

    /// <summary>Reads the text and checks it; returns the errors (none when valid) and the parsed message.</summary>
    public static (List<string> Errors, Message Config) Validate(string text)
    {
        var errors = new List<string>();
        var tokens = Tokenize(text);
        int position = 0;
        Message config = ReadMessage(tokens, ref position, end: null);
        Check(config, "ModelConfig", "", errors);
        long maxBatch = config.One("max_batch_size") is long m ? m : 0;
        if (config.One("dynamic_batching") is not null && maxBatch <= 0)
        {
            errors.Add("dynamic_batching needs max_batch_size > 0");
        }

        foreach (Message tensor in config.Messages("input").Concat(config.Messages("output")))
        {
            var dims = tensor.All("dims").Cast<List<object>>().SelectMany(d => d).Cast<long>().ToArray();
            if (dims.Length == 0 || dims.Any(d => d < -1 || d == 0))
            {
                errors.Add($"tensor {tensor.One("name")}: dims [{string.Join(", ", dims)}] must be non-empty, each -1 or positive");
            }

            if (tensor.One("name") is not string)
            {
                errors.Add("a tensor has no name");
            }
        }

        if (config.One("name") is not string || config.One("backend") is not "onnxruntime")
        {
            errors.Add("name and backend \"onnxruntime\" are required");
        }

        return (errors, config);
    }

    private static void Check(Message message, string type, string path, List<string> errors)
    {
        foreach (var (field, value) in message.Fields)
        {
            if (!Schema[type].TryGetValue(field, out string? kind))
            {
                errors.Add($"{path}{field}: not a field of {type}");
                continue;
            }

            bool ok = kind switch
            {
                "string" => value is string,
                "int" => value is long,
                "bool" => value is Identifier { Text: "true" or "false" },
                "ints" => value is List<object> list && list.All(v => v is long),
                _ when kind.StartsWith("enum:", StringComparison.Ordinal) => value is Identifier id && kind[5..].Split('|').Contains(id.Text),
                _ when kind.StartsWith("message:", StringComparison.Ordinal) => value is Message,
                _ when kind.StartsWith("messages:", StringComparison.Ordinal) => value is Message || (value is List<object> items && items.All(i => i is Message)),
                _ => false,
            };
            if (!ok)
            {
                errors.Add($"{path}{field}: {Describe(value)} is not a {kind}");
                continue;
            }

            string? nested = kind.StartsWith("message", StringComparison.Ordinal) ? kind[(kind.IndexOf(':') + 1)..] : null;
            if (nested is not null)
            {
                foreach (Message item in value is List<object> many ? many.Cast<Message>() : [(Message)value])
                {
                    Check(item, nested, $"{path}{field}.", errors);
                }
            }
        }
    }

    private static string Describe(object value) => value switch
    {
        Identifier id => id.Text,
        string s => $"\"{s}\"",
        List<object> l => $"[{l.Count} values]",
        Message => "{...}",
        _ => value.ToString() ?? "?",
    };

    private sealed record Identifier(string Text);

    private static List<object> Tokenize(string text)
    {
        var tokens = new List<object>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '{' or '}' or '[' or ']' or ':' or ',')
            {
                tokens.Add(c);
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                for (i++; text[i] != '"'; i++)
                {
                    value.Append(text[i] == '\\' ? text[++i] : text[i]);
                }

                tokens.Add(value.ToString());
                i++;
            }
            else if (c == '-' || char.IsDigit(c))
            {
                int start = i++;
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                tokens.Add(long.Parse(text[start..i], CultureInfo.InvariantCulture));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Identifier(text[start..i]));
            }
            else
            {
                throw new FormatException($"Unexpected '{c}' at {i}.");
            }
        }

        return tokens;
    }

    private static Message ReadMessage(List<object> tokens, ref int position, char? end)
    {
        var message = new Message();
        while (position < tokens.Count && !(end is { } e && tokens[position] is char t && t == e))
        {
            string field = tokens[position++] is Identifier id ? id.Text : throw new FormatException($"Expected a field name at token {position - 1}.");
            if (tokens[position] is ':')
            {
                position++;
            }

            message.Fields.Add((field, ReadValue(tokens, ref position)));
        }

        position++;
        return message;
    }

    private static object ReadValue(List<object> tokens, ref int position)
    {
        object token = tokens[position++];
        if (token is '{')
        {
            return ReadMessage(tokens, ref position, '}');
        }

        if (token is '[')
        {
            var items = new List<object>();
            while (tokens[position] is not ']')
            {
                items.Add(ReadValue(tokens, ref position));
                if (tokens[position] is ',')
                {
                    position++;
                }
            }

            position++;
            return items;
        }

        return token;
    }
}
