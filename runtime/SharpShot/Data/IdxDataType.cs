namespace SharpShot.Data;

/// <summary>
/// The element type of an IDX file, stored as the third byte of its magic number.
/// The numeric values are the type codes of the IDX format.
/// </summary>
public enum IdxDataType : byte
{
    /// <summary>Unsigned 8-bit integers (code 0x08); the type of MNIST pixels and labels.</summary>
    UnsignedByte = 0x08,

    /// <summary>Signed 8-bit integers (code 0x09).</summary>
    SignedByte = 0x09,

    /// <summary>Big-endian signed 16-bit integers (code 0x0B).</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian signed 32-bit integers (code 0x0C).</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian IEEE 754 single-precision floats (code 0x0D).</summary>
    Single = 0x0D,

    /// <summary>Big-endian IEEE 754 double-precision floats (code 0x0E).</summary>
    Double = 0x0E,
}
