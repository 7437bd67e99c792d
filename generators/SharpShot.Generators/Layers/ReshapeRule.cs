using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Reshape(d1, d2, …)]</c>: each sample takes the given shape, with the same number of values; one
/// dimension may be −1, inferred from the others. The runtime layer gets the resolved shape.
/// </summary>
internal sealed class ReshapeRule : LayerRule
{
    public ReshapeRule()
        : base("Reshape")
    {
    }

    public override void Apply(LayerSite layer)
    {
        int[] target = layer.Arguments.IntArray("shape");

        layer.Require(target.Length > 0, "the number of target dimensions", "positive", CSharpText.Int(target.Length));
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1 && inferred < 0)
            {
                inferred = i;
                continue;
            }

            string constraint = inferred < 0 ? "positive, or -1 to be inferred" : "positive (only one dimension can be -1)";
            layer.Require(target[i] > 0, $"target dimension {i + 1}", constraint, CSharpText.Int(target[i]));
            known = checked(known * Math.Max(target[i], 1));
        }

        if (layer.HasErrors || !layer.TryGetInput(out EquatableArray<int> input))
        {
            return;
        }

        long size = 1;
        foreach (int dimension in input)
        {
            size = checked(size * dimension);
        }

        string written = "(" + string.Join(", ", target.Select(d => CSharpText.Int(d))) + ")";
        long[] shape = target.Select(d => (long)d).ToArray();
        if (inferred >= 0)
        {
            if (size % known != 0)
            {
                layer.Report(DiagnosticDescriptors.ReshapeMismatch, Shapes.Format(input), CSharpText.Grouped(size), $"{written}: {CSharpText.Grouped(size)} is not a multiple of {CSharpText.Grouped(known)}");
                return;
            }

            shape[inferred] = size / known;
        }
        else if (known != size)
        {
            layer.Report(DiagnosticDescriptors.ReshapeMismatch, Shapes.Format(input), CSharpText.Grouped(size), $"{written} ({CSharpText.Grouped(known)} values)");
            return;
        }

        layer.Produces(shape, shape.Select(d => CSharpText.Int(d)).ToArray());
    }
}
