using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Model;

/// <summary>Formats per-sample shapes (channels first, no batch dimension) the way messages and summaries show them.</summary>
internal static class Shapes
{
    /// <summary>(32, 26, 26)</summary>
    public static string Format(EquatableArray<int> shape) => "(" + string.Join(", ", shape.Select(d => CSharpText.Int(d))) + ")";

    /// <summary>(None, 32, 26, 26): with Keras's unknown batch dimension.</summary>
    public static string FormatBatched(EquatableArray<int> shape) => "(" + string.Join(", ", new[] { "None" }.Concat(shape.Select(d => CSharpText.Int(d)))) + ")";
}
