using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>The one table of which ONNX element types the general tensor API carries, and as which .NET type.</summary>
internal static class TensorElementTypes
{
    // Sizes are ONNX Runtime's in-memory sizes, which equal .NET's array element sizes (bool: one byte).
    private static readonly (OnnxElementType Onnx, Type Clr, int Size)[] Table =
    [
        (OnnxElementType.Float, typeof(float), 4),
        (OnnxElementType.Float16, typeof(Half), 2),
        (OnnxElementType.Double, typeof(double), 8),
        (OnnxElementType.Int8, typeof(sbyte), 1),
        (OnnxElementType.Uint8, typeof(byte), 1),
        (OnnxElementType.Int16, typeof(short), 2),
        (OnnxElementType.Uint16, typeof(ushort), 2),
        (OnnxElementType.Int32, typeof(int), 4),
        (OnnxElementType.Uint32, typeof(uint), 4),
        (OnnxElementType.Int64, typeof(long), 8),
        (OnnxElementType.Uint64, typeof(ulong), 8),
        (OnnxElementType.Bool, typeof(bool), 1),
    ];

    /// <summary>Bytes per element of a supported type.</summary>
    public static int Size(OnnxElementType elementType) => Table.First(e => e.Onnx == elementType).Size;

    public static string SupportedList { get; } = string.Join(", ", Table.Select(e => $"{e.Clr.Name} ({e.Onnx})"));

    /// <summary>The ONNX type of a .NET element type; <see langword="null"/> when not supported.</summary>
    public static OnnxElementType? Of(Type clrType)
    {
        foreach (var (onnx, clr, _) in Table)
        {
            if (clr == clrType)
            {
                return onnx;
            }
        }
        return null;
    }

    /// <summary>The .NET type of an ONNX element type; <see langword="null"/> when not supported.</summary>
    public static Type? ClrType(OnnxElementType elementType)
    {
        foreach (var (onnx, clr, _) in Table)
        {
            if (onnx == elementType)
            {
                return clr;
            }
        }
        return null;
    }
}
