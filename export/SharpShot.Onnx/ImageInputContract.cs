using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpShot.Onnx;

/// <summary>
/// What an image model's input means, carried in its metadata (<see cref="SharpShotMetadata.InputImage"/>): one sample
/// is <see cref="Channels"/> planes (1: grey, 3: red, green, blue) of <see cref="Height"/> x <see cref="Width"/> values,
/// row-major (NCHW with the batch), an image of another size resized by area averaging, and the model's value for a
/// raw 8-bit pixel value <c>p</c> (0 to 255) of channel <c>c</c> is <c>p * Scale[c] + Offset[c]</c> (an inversion has a
/// negative scale; mean and standard deviation fold in as <c>Scale = 1 / (255 std)</c>, <c>Offset = -mean / std</c>).
/// </summary>
/// <remarks>
/// When <see cref="NormalizedInGraph"/> is true (every model SharpShot exports from image data since this contract
/// exists), the graph applies the scale and offset itself: its input takes raw pixel values, area-averaged to the
/// input size, in [0, 255], so any ONNX runtime gets the trained model's answer from raw pixels, and the float API of
/// a host takes raw values too. When false (models exported before, described by the older
/// <see cref="SharpShotMetadata.InputScale"/> and <see cref="SharpShotMetadata.InputOffset"/> entries), the graph
/// takes the normalized values and a host that starts from pixels applies the scale and offset.
/// </remarks>
public sealed class ImageInputContract
{
    /// <summary>The version of the metadata's JSON form this type writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>Creates a contract, checking it.</summary>
    /// <exception cref="ArgumentException">Channels other than 1 or 3, a side below 1, or scale and offset lists that are not one value or one per channel, or not finite.</exception>
    public ImageInputContract(int channels, int height, int width, IReadOnlyList<double> scale, IReadOnlyList<double> offset, bool normalizedInGraph)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(offset);
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"An image input has 1 (grey) or 3 (red, green, blue) channels; got {channels}.", nameof(channels));
        }

        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"An image input is at least 1 x 1 pixels; got {height} x {width}.", nameof(height));
        }

        Channels = channels;
        Height = height;
        Width = width;
        Scale = PerChannel(scale, channels, nameof(scale));
        Offset = PerChannel(offset, channels, nameof(offset));
        NormalizedInGraph = normalizedInGraph;
    }

    /// <summary>1 (grey) or 3 (red, green, blue planes in that order).</summary>
    public int Channels { get; }

    /// <summary>Rows of the model's input image.</summary>
    public int Height { get; }

    /// <summary>Columns of the model's input image.</summary>
    public int Width { get; }

    /// <summary>Per channel, the multiplier of a raw pixel value (0 to 255).</summary>
    public IReadOnlyList<double> Scale { get; }

    /// <summary>Per channel, added after <see cref="Scale"/>.</summary>
    public IReadOnlyList<double> Offset { get; }

    /// <summary>Whether the graph applies <see cref="Scale"/> and <see cref="Offset"/> itself, so its input takes raw pixel values.</summary>
    public bool NormalizedInGraph { get; }

    /// <summary>Whether the scale and offset leave values as they are (1 and 0 on every channel).</summary>
    public bool IsIdentity => Scale.All(s => s == 1.0) && Offset.All(o => o == 0.0);

    /// <summary>The JSON form stored under <see cref="SharpShotMetadata.InputImage"/>.</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["version"] = FormatVersion,
            ["layout"] = "NCHW",
            ["channels"] = Channels,
            ["color"] = Channels == 1 ? "gray" : "rgb",
            ["height"] = Height,
            ["width"] = Width,
            ["resize"] = "area",
            ["pixel_range"] = new JsonArray(0, 255),
            ["scale"] = new JsonArray(Scale.Select(s => (JsonNode)s).ToArray()),
            ["offset"] = new JsonArray(Offset.Select(o => (JsonNode)o).ToArray()),
            ["normalization"] = NormalizedInGraph ? "graph" : "host",
        };
        return json.ToJsonString();
    }

    /// <summary>
    /// Reads the contract from a model's metadata: the <see cref="SharpShotMetadata.InputImage"/> entry, or for a model
    /// exported before it, an input shape of 1 or 3 channels with <see cref="SharpShotMetadata.InputScale"/> (normalized
    /// by the host). Null when the metadata says neither.
    /// </summary>
    /// <exception cref="OnnxFormatException">The entry is there but is not a valid contract; the message says what is wrong.</exception>
    public static ImageInputContract? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.TryGetValue(SharpShotMetadata.InputImage, out var text))
        {
            return Parse(text);
        }

        if (metadata.TryGetValue(SharpShotMetadata.InputShape, out var shapeText)
            && metadata.TryGetValue(SharpShotMetadata.InputScale, out var scaleText)
            && TryParseShape(shapeText, out var shape)
            && shape.Length == 3 && shape[0] is 1 or 3 && shape[1] > 0 && shape[2] > 0
            && double.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale))
        {
            double offset = metadata.TryGetValue(SharpShotMetadata.InputOffset, out var offsetText)
                && double.TryParse(offsetText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0.0;
            if (double.IsFinite(scale) && double.IsFinite(offset))
            {
                return new ImageInputContract(shape[0], shape[1], shape[2], [scale], [offset], normalizedInGraph: false);
            }
        }

        return null;
    }

    /// <summary>Parses the JSON form written by <see cref="ToJson"/>.</summary>
    /// <exception cref="OnnxFormatException">Not valid JSON, a newer version, or a field missing or out of range.</exception>
    public static ImageInputContract Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string Where = $"The metadata entry '{SharpShotMetadata.InputImage}'";
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new OnnxFormatException($"{Where} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new OnnxFormatException($"{Where} is not valid JSON ({e.Message}).", e);
        }

        try
        {
            int version = root["version"]?.GetValue<int>() ?? throw Missing("version");
            if (version > FormatVersion)
            {
                throw new OnnxFormatException($"{Where} has version {version}; this SharpShot reads version {FormatVersion} or older. Update SharpShot.");
            }

            if (root["layout"]?.GetValue<string>() is { } layout && layout != "NCHW")
            {
                throw new OnnxFormatException($"{Where} says layout '{layout}'; only 'NCHW' is known.");
            }

            if (root["resize"]?.GetValue<string>() is { } resize && resize != "area")
            {
                throw new OnnxFormatException($"{Where} says resize '{resize}'; only 'area' is known.");
            }

            string normalization = root["normalization"]?.GetValue<string>() ?? throw Missing("normalization");
            if (normalization is not ("graph" or "host"))
            {
                throw new OnnxFormatException($"{Where} says normalization '{normalization}'; expected 'graph' or 'host'.");
            }

            return new ImageInputContract(
                root["channels"]?.GetValue<int>() ?? throw Missing("channels"),
                root["height"]?.GetValue<int>() ?? throw Missing("height"),
                root["width"]?.GetValue<int>() ?? throw Missing("width"),
                Numbers(root["scale"]) ?? throw Missing("scale"),
                Numbers(root["offset"]) ?? throw Missing("offset"),
                normalization == "graph");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new OnnxFormatException($"{Where} is not a valid image input contract: {e.Message}", e);
        }

        static OnnxFormatException Missing(string field) => new($"{Where} has no '{field}'.");
    }

    private static double[]? Numbers(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n?.GetValue<double>() ?? throw new FormatException("a list holds null.")).ToArray() : null;

    private static bool TryParseShape(string text, out int[] shape)
    {
        var parts = text.Split(',');
        shape = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static double[] PerChannel(IReadOnlyList<double> values, int channels, string name)
    {
        if (values.Count != 1 && values.Count != channels)
        {
            throw new ArgumentException($"Expected one value or one per channel ({channels}); got {values.Count}.", name);
        }

        if (values.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException($"Expected finite values; got [{string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}].", name);
        }

        return Enumerable.Range(0, channels).Select(c => values[values.Count == 1 ? 0 : c]).ToArray();
    }
}
