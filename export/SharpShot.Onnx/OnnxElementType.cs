namespace SharpShot.Onnx;

/// <summary>
/// Element type of an ONNX tensor. The numbers are the <c>TensorProto.DataType</c> values fixed by the
/// ONNX specification, so a value can be cast to and from the <c>elem_type</c> / <c>data_type</c> fields.
/// </summary>
public enum OnnxElementType
{
    /// <summary>Not set; never valid for a tensor.</summary>
    Undefined = 0,

    /// <summary>32-bit IEEE 754 float.</summary>
    Float = 1,

    /// <summary>8-bit unsigned integer.</summary>
    Uint8 = 2,

    /// <summary>8-bit signed integer.</summary>
    Int8 = 3,

    /// <summary>16-bit unsigned integer.</summary>
    Uint16 = 4,

    /// <summary>16-bit signed integer.</summary>
    Int16 = 5,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer (shapes, indices).</summary>
    Int64 = 7,

    /// <summary>UTF-8 string.</summary>
    String = 8,

    /// <summary>Boolean, one byte per element.</summary>
    Bool = 9,

    /// <summary>16-bit IEEE 754 half-precision float.</summary>
    Float16 = 10,

    /// <summary>64-bit IEEE 754 float.</summary>
    Double = 11,

    /// <summary>32-bit unsigned integer.</summary>
    Uint32 = 12,

    /// <summary>64-bit unsigned integer.</summary>
    Uint64 = 13,

    /// <summary>Complex number of two 32-bit floats.</summary>
    Complex64 = 14,

    /// <summary>Complex number of two 64-bit floats.</summary>
    Complex128 = 15,

    /// <summary>Brain float: a 32-bit float truncated to 16 bits (8 exponent bits).</summary>
    BFloat16 = 16,

    /// <summary>8-bit float, 4 exponent and 3 mantissa bits, finite only.</summary>
    Float8E4M3Fn = 17,

    /// <summary>8-bit float, 4 exponent and 3 mantissa bits, finite only, no negative zero.</summary>
    Float8E4M3Fnuz = 18,

    /// <summary>8-bit float, 5 exponent and 2 mantissa bits.</summary>
    Float8E5M2 = 19,

    /// <summary>8-bit float, 5 exponent and 2 mantissa bits, finite only, no negative zero.</summary>
    Float8E5M2Fnuz = 20,

    /// <summary>4-bit unsigned integer, two per byte.</summary>
    Uint4 = 21,

    /// <summary>4-bit signed integer, two per byte.</summary>
    Int4 = 22,

    /// <summary>4-bit float, 2 exponent bits and 1 mantissa bit, two per byte.</summary>
    Float4E2M1 = 23,

    /// <summary>8-bit exponent-only float used as a microscaling scale.</summary>
    Float8E8M0 = 24,

    /// <summary>2-bit unsigned integer, four per byte.</summary>
    Uint2 = 25,

    /// <summary>2-bit signed integer, four per byte.</summary>
    Int2 = 26,
}
