using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary><see cref="OnnxTensor.FromBytes"/> and <see cref="OnnxTensor.CopyBytesTo"/>: little-endian, row-major, native sizes.</summary>
public class TensorBytesTests
{
    public static TheoryData<OnnxTensor> Tensors() => new()
    {
        OnnxTensor.Create([1.5f, -2f, float.NaN], 3),
        OnnxTensor.Create([(Half)0.5, (Half)(-1)], 1, 2),
        OnnxTensor.Create([double.MaxValue, -0.0], 2),
        OnnxTensor.Create(new sbyte[] { -128, 127 }, 2),
        OnnxTensor.Create(new byte[] { 0, 255 }, 2),
        OnnxTensor.Create(new short[] { short.MinValue, 7 }, 2),
        OnnxTensor.Create(new ushort[] { ushort.MaxValue, 7 }, 2),
        OnnxTensor.Create([int.MinValue, 7], 2),
        OnnxTensor.Create([uint.MaxValue, 7u], 2),
        OnnxTensor.Create([long.MinValue, 7L], 2),
        OnnxTensor.Create([ulong.MaxValue, 7ul], 2),
        OnnxTensor.Create([true, false, true], 3),
        OnnxTensor.Create(Array.Empty<float>(), 0, 4),
    };

    [Theory]
    [MemberData(nameof(Tensors))]
    public void Bytes_round_trip_every_element_type(OnnxTensor tensor)
    {
        var bytes = new byte[tensor.ByteCount];
        tensor.CopyBytesTo(bytes);

        var back = OnnxTensor.FromBytes(tensor.ElementType, bytes, [.. tensor.Shape]);

        Assert.Equal(tensor.ElementType, back.ElementType);
        Assert.Equal(tensor.Shape, back.Shape);
        Assert.Equal(tensor.Data.Cast<object>(), back.Data.Cast<object>());
    }

    [Fact]
    public void The_layout_is_little_endian_row_major()
    {
        var tensor = OnnxTensor.Create([0x01020304, -1], 2);
        var bytes = new byte[8];
        tensor.CopyBytesTo(bytes);
        Assert.Equal(new byte[] { 4, 3, 2, 1, 255, 255, 255, 255 }, bytes);
        Assert.Equal(1f, OnnxTensor.FromBytes(OnnxElementType.Float, [0, 0, 0x80, 0x3f], 1).GetData<float>()[0]);
    }

    [Fact]
    public void Any_non_zero_byte_is_a_true_bool()
    {
        bool[] values = OnnxTensor.FromBytes(OnnxElementType.Bool, [0, 1, 2, 255], 4).GetData<bool>();
        Assert.Equal([false, true, true, true], values);
        Assert.True(values[2] == values[1] && values[3] == values[1], "normalised to the one true the runtime compares with");
    }

    [Fact]
    public void Wrong_sizes_and_types_are_argument_errors_naming_both_sizes()
    {
        var wrongLength = Assert.Throws<ArgumentException>(() => OnnxTensor.FromBytes(OnnxElementType.Float, new byte[10], 1, 3));
        Assert.Contains("takes 3 × 4 bytes; 10 were given", wrongLength.Message);
        Assert.Throws<ArgumentException>(() => OnnxTensor.FromBytes(OnnxElementType.Float, new byte[4], -1));
        Assert.Throws<ArgumentException>(() => OnnxTensor.FromBytes(OnnxElementType.String, new byte[4], 1));
        Assert.Throws<ArgumentException>(() => OnnxTensor.Create([1f, 2f], 2).CopyBytesTo(new byte[7]));
    }
}
