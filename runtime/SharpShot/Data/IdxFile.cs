using System.Globalization;

namespace SharpShot.Data;

/// <summary>
/// The contents of one IDX file (the format of MNIST and Fashion-MNIST): a typed, row-major array of
/// values and its dimensions. Values are held in machine byte order; big-endian conversion happens in
/// <see cref="IdxReader"/> and <see cref="IdxWriter"/>.
/// </summary>
public sealed class IdxFile
{
    /// <summary>Most dimensions an IDX header can declare in this implementation (MNIST uses 1 or 3).</summary>
    public const int MaxRank = 8;

    private readonly int[] _dimensions;

    /// <summary>Creates an IDX file in memory, for example to write it with <see cref="IdxWriter"/>.</summary>
    /// <param name="dimensions">The dimensions, outermost first: between 1 and <see cref="MaxRank"/> positive sizes.</param>
    /// <param name="data">
    /// The values, row-major: a <c>byte[]</c>, <c>sbyte[]</c>, <c>short[]</c>, <c>int[]</c>, <c>float[]</c> or
    /// <c>double[]</c>, which fixes <see cref="DataType"/>. The array is used as it is, not copied.
    /// </param>
    /// <exception cref="ArgumentException">The element type is not an IDX type, or the dimensions are invalid or disagree with the data length.</exception>
    public IdxFile(IReadOnlyList<int> dimensions, Array data)
        : this(dimensions, data, sourcePath: null)
    {
    }

    internal IdxFile(IReadOnlyList<int> dimensions, Array data, string? sourcePath)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        DataType = TypeOf(data);
        if (dimensions.Count is < 1 or > MaxRank)
        {
            throw new ArgumentException($"An IDX file has 1 to {MaxRank} dimensions; got {dimensions.Count}.", nameof(dimensions));
        }

        _dimensions = dimensions.ToArray();
        long elements = 1;
        foreach (int d in _dimensions)
        {
            if (d <= 0)
            {
                throw new ArgumentException($"IDX dimensions must be positive; got [{string.Join(", ", _dimensions)}].", nameof(dimensions));
            }

            // Stop multiplying once past the data length: the product of 8 int32 sizes can overflow a long.
            elements = Math.Min(elements * d, (long)int.MaxValue + 1);
        }

        if (elements != data.Length)
        {
            throw new ArgumentException(
                $"Dimensions [{string.Join(", ", _dimensions)}] describe {(elements > int.MaxValue ? "more than " + int.MaxValue : elements.ToString(CultureInfo.InvariantCulture))} values; the data holds {data.Length}.",
                nameof(data));
        }

        Data = data;
        SourcePath = sourcePath;
    }

    /// <summary>The element type of the values.</summary>
    public IdxDataType DataType { get; }

    /// <summary>The dimensions, outermost first; for MNIST images (count, rows, columns).</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>Number of values (product of <see cref="Dimensions"/>).</summary>
    public int Length => Data.Length;

    /// <summary>
    /// The values, row-major, as the array type matching <see cref="DataType"/>: <c>byte[]</c>, <c>sbyte[]</c>,
    /// <c>short[]</c>, <c>int[]</c>, <c>float[]</c> or <c>double[]</c>.
    /// </summary>
    public Array Data { get; }

    /// <summary>The full path the file was read from; null for a file built in memory.</summary>
    public string? SourcePath { get; }

    /// <summary>The values of an <see cref="IdxDataType.UnsignedByte"/> file (pixels, labels), not copied.</summary>
    /// <exception cref="InvalidOperationException">The file holds another type.</exception>
    public byte[] Bytes => GetValues<byte>();

    /// <summary>Size in bytes of one value of <paramref name="type"/>.</summary>
    /// <param name="type">An IDX element type.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined IDX type.</exception>
    public static int ElementSize(IdxDataType type) => type switch
    {
        IdxDataType.UnsignedByte or IdxDataType.SignedByte => 1,
        IdxDataType.Int16 => 2,
        IdxDataType.Int32 or IdxDataType.Single => 4,
        IdxDataType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an IDX data type."),
    };

    /// <summary>The values as their own array type, not copied.</summary>
    /// <typeparam name="T">The element type matching <see cref="DataType"/>, e.g. <see cref="byte"/> for unsigned bytes.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DataType"/>.</exception>
    public T[] GetValues<T>()
        where T : unmanaged
    {
        // An exact type test: the runtime lets a byte[] pass as sbyte[] (and short[] as ushort[]), so `as T[]` would not do.
        return Data.GetType() == typeof(T[])
            ? (T[])Data
            : throw new InvalidOperationException($"{Describe()} holds {TypeName(DataType)} values, not {typeof(T).Name}.");
    }

    /// <summary>
    /// Converts every value to <c>float</c> as <c>value * scale + offset</c> (computed in double precision),
    /// e.g. <c>ToSingles(1.0 / 255)</c> maps 8-bit pixels into [0, 1].
    /// </summary>
    /// <param name="scale">Multiplier applied to each raw value.</param>
    /// <param name="offset">Added after scaling.</param>
    /// <returns>A new array of <see cref="Length"/> values.</returns>
    public float[] ToSingles(double scale = 1, double offset = 0)
    {
        var result = GC.AllocateUninitializedArray<float>(Data.Length);

        // Dispatch on DataType, not on the array's type: the runtime treats byte[] and sbyte[] as interchangeable
        // in type tests, so `case byte[]` would also match signed bytes.
        switch (DataType)
        {
            case IdxDataType.UnsignedByte:
                byte[] bytes = (byte[])Data;
                // 256 possible inputs: a table makes the common pixel case one load per value,
                // with exactly the same results as computing each value.
                Span<float> table = stackalloc float[256];
                for (int v = 0; v < 256; v++)
                {
                    table[v] = (float)(v * scale + offset);
                }

                for (int i = 0; i < bytes.Length; i++)
                {
                    result[i] = table[bytes[i]];
                }

                break;
            case IdxDataType.SignedByte:
                sbyte[] sbytes = (sbyte[])Data;
                Span<float> signedTable = stackalloc float[256];
                for (int v = sbyte.MinValue; v <= sbyte.MaxValue; v++)
                {
                    signedTable[(byte)(sbyte)v] = (float)(v * scale + offset);
                }

                for (int i = 0; i < sbytes.Length; i++)
                {
                    result[i] = signedTable[(byte)sbytes[i]];
                }

                break;
            case IdxDataType.Int16:
                short[] shorts = (short[])Data;
                for (int i = 0; i < shorts.Length; i++)
                {
                    result[i] = (float)(shorts[i] * scale + offset);
                }

                break;
            case IdxDataType.Int32:
                int[] ints = (int[])Data;
                for (int i = 0; i < ints.Length; i++)
                {
                    result[i] = (float)(ints[i] * scale + offset);
                }

                break;
            case IdxDataType.Single when scale == 1 && offset == 0:
                ((float[])Data).CopyTo(result, 0);
                break;
            case IdxDataType.Single:
                float[] floats = (float[])Data;
                for (int i = 0; i < floats.Length; i++)
                {
                    result[i] = (float)(floats[i] * scale + offset);
                }

                break;
            case IdxDataType.Double:
                double[] doubles = (double[])Data;
                for (int i = 0; i < doubles.Length; i++)
                {
                    result[i] = (float)(doubles[i] * scale + offset);
                }

                break;
            default:
                throw new InvalidOperationException($"Unexpected data array {Data.GetType()}.");
        }

        return result;
    }

    /// <summary>Converts integer values (for example class labels) to <c>int</c>.</summary>
    /// <returns>A new array of <see cref="Length"/> values.</returns>
    /// <exception cref="InvalidOperationException">The file holds floating-point values, which would have to be rounded.</exception>
    public int[] ToInt32s()
    {
        var result = GC.AllocateUninitializedArray<int>(Data.Length);
        switch (DataType)
        {
            case IdxDataType.UnsignedByte:
                byte[] bytes = (byte[])Data;
                for (int i = 0; i < bytes.Length; i++)
                {
                    result[i] = bytes[i];
                }

                break;
            case IdxDataType.SignedByte:
                sbyte[] sbytes = (sbyte[])Data;
                for (int i = 0; i < sbytes.Length; i++)
                {
                    result[i] = sbytes[i];
                }

                break;
            case IdxDataType.Int16:
                short[] shorts = (short[])Data;
                for (int i = 0; i < shorts.Length; i++)
                {
                    result[i] = shorts[i];
                }

                break;
            case IdxDataType.Int32:
                ((int[])Data).CopyTo(result, 0);
                break;
            default:
                throw new InvalidOperationException($"{Describe()} holds {TypeName(DataType)} values; only integer IDX data converts to int exactly.");
        }

        return result;
    }

    /// <summary>The shape and type, e.g. <c>60000 x 28 x 28 ubyte</c>.</summary>
    public override string ToString() => $"{DescribeShape(_dimensions)} {TypeName(DataType)}";

    /// <summary>The short name of an IDX type as used in messages: ubyte, sbyte, int16, int32, float32, float64.</summary>
    internal static string TypeName(IdxDataType type) => type switch
    {
        IdxDataType.UnsignedByte => "ubyte",
        IdxDataType.SignedByte => "sbyte",
        IdxDataType.Int16 => "int16",
        IdxDataType.Int32 => "int32",
        IdxDataType.Single => "float32",
        IdxDataType.Double => "float64",
        _ => $"type 0x{(byte)type:X2}",
    };

    /// <summary>Dimensions joined as <c>60000 x 28 x 28</c>.</summary>
    internal static string DescribeShape(IEnumerable<int> dimensions) =>
        string.Join(" x ", dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    // Compares exact array types: `data is byte[]` is also true for an sbyte[] (and `is short[]` for a ushort[],
    // `is int[]` for a uint[]), which would silently reinterpret the values.
    private static IdxDataType TypeOf(Array data)
    {
        Type type = data.GetType();
        return type == typeof(byte[]) ? IdxDataType.UnsignedByte
            : type == typeof(sbyte[]) ? IdxDataType.SignedByte
            : type == typeof(short[]) ? IdxDataType.Int16
            : type == typeof(int[]) ? IdxDataType.Int32
            : type == typeof(float[]) ? IdxDataType.Single
            : type == typeof(double[]) ? IdxDataType.Double
            : throw new ArgumentException(
                $"IDX data must be byte[], sbyte[], short[], int[], float[] or double[]; got {type}.", nameof(data));
    }

    private string Describe() => SourcePath is null ? "This IDX file" : $"IDX file '{SourcePath}'";
}
