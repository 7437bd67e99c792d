using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators;

/// <summary>
/// The Keras-style summary table of a model, computed at compile time: Keras's 65-column layout,
/// widened when a name or shape does not fit, channels-first shapes with None for the batch.
/// A composed layer (a block, a residual connection, a used model) is one row with its output shape and
/// all its parameters, followed by its inner layers, indented, as Keras's <c>expand_nested</c> shows them;
/// the totals count each parameter once. Param # counts, as in Keras, trainable and non-trainable values
/// (BatchNorm's running statistics); "Trainable params" is <c>ParameterCount</c>.
/// </summary>
internal static class SummaryTable
{
    // Keras's Sequential.summary() column stops: the shape column starts at 29, the count at 55, lines are 65 long.
    private const int MinimumNameWidth = 29;
    private const int MinimumShapeWidth = 26;
    private const int MinimumLineWidth = 65;

    public static IReadOnlyList<string> Lines(ModelSpec model)
    {
        var rows = new List<(string Name, string Shape, string Parameters)>();
        foreach (LayerSpec layer in model.Layers)
        {
            AddRows(rows, layer, string.Empty);
        }

        // Each column keeps at least one space before the next; the name column starts with one.
        int nameWidth = Math.Max(MinimumNameWidth, rows.Max(row => 1 + row.Name.Length + 1));
        int shapeWidth = Math.Max(MinimumShapeWidth, rows.Max(row => row.Shape.Length + 1));
        int countWidth = Math.Max(MinimumLineWidth - MinimumNameWidth - MinimumShapeWidth, rows.Max(row => row.Parameters.Length));
        int lineWidth = nameWidth + shapeWidth + countWidth;

        string total = CSharpText.Grouped(model.ParameterCount + model.NonTrainableCount);
        var lines = new List<string>
        {
            $"Model: \"{model.ClassName}\"",
            new string('_', lineWidth),
            " Layer (type)".PadRight(nameWidth) + "Output Shape".PadRight(shapeWidth) + "Param #",
            new string('=', lineWidth),
        };
        lines.AddRange(rows.Select(row => (" " + row.Name).PadRight(nameWidth) + row.Shape.PadRight(shapeWidth) + row.Parameters));
        lines.Add(new string('=', lineWidth));
        lines.Add($"Total params: {total}");
        lines.Add($"Trainable params: {CSharpText.Grouped(model.ParameterCount)}");
        lines.Add($"Non-trainable params: {CSharpText.Grouped(model.NonTrainableCount)}");
        lines.Add(new string('_', lineWidth));
        return lines;
    }

    private static void AddRows(List<(string Name, string Shape, string Parameters)> rows, LayerSpec layer, string indent)
    {
        rows.Add((
            $"{indent}{layer.Name} ({layer.Kind})",
            Shapes.FormatBatched(layer.OutputShape),
            CSharpText.Grouped(layer.ParameterCount + layer.NonTrainableCount)));
        foreach (LayerSpec child in layer.Children)
        {
            AddRows(rows, child, indent + "  ");
        }
    }
}
