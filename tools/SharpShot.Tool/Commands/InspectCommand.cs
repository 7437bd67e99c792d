using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpShot.Inference;
using SharpShot.Onnx;
using Spectre.Console;

namespace SharpShot.Tool;

/// <summary><c>sharpshot inspect MODEL [--json]</c>: what any ONNX model declares, read without ONNX Runtime.</summary>
internal static class InspectCommand
{
    public static Command Create(ToolContext context)
    {
        var model = Common.ModelArgument();
        var json = Common.JsonOption();
        var command = new Command("inspect", "Inputs and outputs (names, types, axes), opsets, IR version, producer, parameters, operators and metadata of any ONNX model.")
        {
            model, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(model)!, parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, string path, bool asJson)
    {
        string full = Common.RequireModelFile(path, "inspect");

        OnnxModelInfo info = OnnxModelInfo.Read(full);
        ModelStats stats = ModelStats.Of(info.Proto);
        if (asJson)
        {
            context.Output.WriteLine(ToJson(full, info, stats).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Cli.Success;
        }

        IAnsiConsole console = context.Console;
        console.WriteLine(full);
        var summary = new Grid().AddColumn().AddColumn();
        summary.AddRow("IR version", info.IrVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        summary.AddRow("opsets", Markup.Escape(string.Join(", ", info.OpsetImports.Select(o => $"{(o.Key.Length == 0 ? "ai.onnx" : o.Key)} {o.Value}"))));
        summary.AddRow("producer", Markup.Escape($"{info.ProducerName} {info.ProducerVersion}".Trim()));
        summary.AddRow("graph", Markup.Escape(info.Proto.Graph.Name));
        summary.AddRow("parameters", $"{stats.Parameters:N0} in {stats.Initializers:N0} initializers, {stats.ParameterBytes:N0} bytes");
        summary.AddRow("nodes", Markup.Escape($"{stats.Nodes:N0}: " + string.Join(", ", stats.NodesByOp.Take(8).Select(p => $"{p.OpType} {p.Count}")) + (stats.NodesByOp.Count > 8 ? ", ..." : string.Empty)));
        console.Write(summary);

        var signature = new Table().AddColumns("", "name", "type", "shape");
        foreach (var (kind, values) in new[] { ("input", info.Inputs), ("output", info.Outputs) })
        {
            foreach (OnnxValueInfo value in values)
            {
                signature.AddRow(kind, Markup.Escape(value.Name), value.ElementType.ToString(), Markup.Escape(OnnxDimension.Format(value.Shape)));
            }
        }

        console.Write(signature);
        if (info.Metadata.Count > 0)
        {
            var metadata = new Table().AddColumns("metadata", "value");
            foreach (var (key, value) in info.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                metadata.AddRow(Markup.Escape(key), Markup.Escape(value.Length > 200 ? value[..200] + "..." : value));
            }

            console.Write(metadata);
        }

        if (ImageInputContract.FromMetadata(info.Metadata) is { } image)
        {
            console.WriteLine(image.NormalizedInGraph
                ? $"image input: {image.Channels} x {image.Height} x {image.Width}, raw pixel values 0-255 (the graph scales them)"
                : $"image input: {image.Channels} x {image.Height} x {image.Width}, scaled values (value = pixel x {string.Join("/", image.Scale)} + {string.Join("/", image.Offset)})");
        }

        return Cli.Success;
    }

    private static JsonObject ToJson(string path, OnnxModelInfo info, ModelStats stats)
    {
        static JsonArray Values(IEnumerable<OnnxValueInfo> values) => new(values.Select(v => (JsonNode)new JsonObject
        {
            ["name"] = v.Name,
            ["type"] = v.ElementType.ToString(),
            ["shape"] = new JsonArray(v.Shape.Select(d => d.Value is { } size ? (JsonNode)size : d.Symbol is { } symbol ? symbol : null).ToArray()),
        }).ToArray());

        var image = ImageInputContract.FromMetadata(info.Metadata);
        return new JsonObject
        {
            ["path"] = path,
            ["ir_version"] = info.IrVersion,
            ["opsets"] = new JsonObject(info.OpsetImports.Select(o => KeyValuePair.Create(o.Key.Length == 0 ? "ai.onnx" : o.Key, (JsonNode?)o.Value))),
            ["producer_name"] = info.ProducerName,
            ["producer_version"] = info.ProducerVersion,
            ["graph_name"] = info.Proto.Graph.Name,
            ["inputs"] = Values(info.Inputs),
            ["outputs"] = Values(info.Outputs),
            ["parameters"] = stats.Parameters,
            ["parameter_bytes"] = stats.ParameterBytes,
            ["initializers"] = stats.Initializers,
            ["nodes"] = stats.Nodes,
            ["nodes_by_op"] = new JsonObject(stats.NodesByOp.Select(p => KeyValuePair.Create(p.OpType, (JsonNode?)p.Count))),
            ["metadata"] = new JsonObject(info.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["image_input"] = image is null ? null : JsonNode.Parse(image.ToJson()),
        };
    }
}
