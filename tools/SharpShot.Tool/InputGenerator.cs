using System.Globalization;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Tool;

/// <summary>
/// Inputs for benchmarking any model from its signature: each input's declared axes, its first axis the batch when
/// that axis is not fixed, other open axes from <c>--shape name=d0,d1,...</c>; values by element type (floats in
/// [-1, 1), integers in [0, 10), random booleans), from a fixed seed.
/// </summary>
internal static class InputGenerator
{
    /// <summary>Parses <c>--shape</c> values: <c>name=d0,d1,...</c>, each a whole shape.</summary>
    /// <exception cref="UsageException">A value is not of that form, or names an input twice.</exception>
    public static Dictionary<string, long[]> ParseShapes(IEnumerable<string> values)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int equals = value.LastIndexOf('=');
            string[] parts = equals < 1 ? [] : value[(equals + 1)..].Split(',');
            var dims = new long[parts.Length];
            if (parts.Length == 0 || !parts.Select((p, i) => long.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) && dims[i] >= 1).All(ok => ok))
            {
                throw new UsageException($"--shape '{value}' is not of the form name=d0,d1,... with positive whole sizes (e.g. --shape input_ids=1,128).");
            }

            if (!shapes.TryAdd(value[..equals], dims))
            {
                throw new UsageException($"--shape names input '{value[..equals]}' twice.");
            }
        }

        return shapes;
    }

    /// <summary>Whether every input's first axis is open, so the batch size can vary.</summary>
    public static bool IsBatched(IReadOnlyList<OnnxValueInfo> inputs) =>
        inputs.Count > 0 && inputs.All(i => i.Shape.Count > 0 && i.Shape[0].Value is null);

    /// <summary>The inputs for one batch size.</summary>
    /// <exception cref="UsageException">An open axis after the first has no <c>--shape</c>, a <c>--shape</c> disagrees with the declared rank or fixed axes or names no input, or a type cannot be generated.</exception>
    public static Dictionary<string, OnnxTensor> Create(IReadOnlyList<OnnxValueInfo> inputs, IReadOnlyDictionary<string, long[]> shapes, int batch, int seed = 1)
    {
        foreach (string name in shapes.Keys.Where(n => inputs.All(i => i.Name != n)))
        {
            throw new UsageException($"--shape names '{name}', which is not an input; the inputs are {string.Join(", ", inputs.Select(i => i.Name))}.");
        }

        var random = new Random(seed);
        var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (OnnxValueInfo input in inputs)
        {
            long[] shape = ShapeOf(input, shapes.GetValueOrDefault(input.Name), batch);
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (count > OnnxModelOptions.DefaultMaxTensorElements)
            {
                throw new UsageException($"Input '{input.Name}' would hold {count:N0} values at shape [{string.Join(", ", shape)}]; choose a smaller --batch or --shape.");
            }

            tensors[input.Name] = Values(input, (int)count, shape, random);
        }

        return tensors;
    }

    private static long[] ShapeOf(OnnxValueInfo input, long[]? given, int batch)
    {
        if (given is not null)
        {
            if (input.Shape.Count > 0 && given.Length != input.Shape.Count)
            {
                throw new UsageException($"--shape {input.Name} has {given.Length} axes; the input declares {input.Shape.Count}: {OnnxDimension.Format(input.Shape)}.");
            }

            var shape = (long[])given.Clone();
            for (int axis = 0; axis < input.Shape.Count; axis++)
            {
                if (input.Shape[axis].Value is { } size && size != shape[axis])
                {
                    throw new UsageException($"--shape {input.Name} gives axis {axis} size {shape[axis]}; the input fixes it at {size}: {OnnxDimension.Format(input.Shape)}.");
                }
            }

            if (input.Shape.Count > 0 && input.Shape[0].Value is null)
            {
                shape[0] = batch;
            }

            return shape;
        }

        var dims = new long[input.Shape.Count];
        for (int axis = 0; axis < dims.Length; axis++)
        {
            OnnxDimension dim = input.Shape[axis];
            dims[axis] = dim.Value ?? (axis == 0 ? batch : throw new UsageException(
                $"Axis {axis} ('{dim}') of input '{input.Name}' {OnnxDimension.Format(input.Shape)} has no fixed size; give the whole shape with --shape {input.Name}=...,..."));
        }

        return dims;
    }

    private static OnnxTensor Values(OnnxValueInfo input, int count, long[] shape, Random random)
    {
        float Uniform() => (float)((random.NextDouble() * 2) - 1);
        return input.ElementType switch
        {
            OnnxElementType.Float => OnnxTensor.Create(Fill(count, Uniform), shape),
            OnnxElementType.Float16 => OnnxTensor.Create(Fill(count, () => (Half)Uniform()), shape),
            OnnxElementType.Double => OnnxTensor.Create(Fill(count, () => (double)Uniform()), shape),
            OnnxElementType.Int8 => OnnxTensor.Create(Fill(count, () => (sbyte)random.Next(10)), shape),
            OnnxElementType.Uint8 => OnnxTensor.Create(Fill(count, () => (byte)random.Next(10)), shape),
            OnnxElementType.Int16 => OnnxTensor.Create(Fill(count, () => (short)random.Next(10)), shape),
            OnnxElementType.Uint16 => OnnxTensor.Create(Fill(count, () => (ushort)random.Next(10)), shape),
            OnnxElementType.Int32 => OnnxTensor.Create(Fill(count, () => random.Next(10)), shape),
            OnnxElementType.Uint32 => OnnxTensor.Create(Fill(count, () => (uint)random.Next(10)), shape),
            OnnxElementType.Int64 => OnnxTensor.Create(Fill(count, () => (long)random.Next(10)), shape),
            OnnxElementType.Uint64 => OnnxTensor.Create(Fill(count, () => (ulong)random.Next(10)), shape),
            OnnxElementType.Bool => OnnxTensor.Create(Fill(count, () => random.Next(2) == 1), shape),
            _ => throw new ToolFailure($"Input '{input.Name}' takes {input.ElementType} values, which bench cannot generate."),
        };
    }

    private static T[] Fill<T>(int count, Func<T> next)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = next();
        }

        return values;
    }
}
