using Google.Protobuf;
using System.Buffers.Binary;
using System.Text;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx.Tests;

/// <summary>
/// Checks our onnx.proto against the ONNX specification independently of it: the bytes below are
/// encoded by hand from the field numbers and wire types the specification gives, then parsed with
/// our generated classes and serialized back. A wrong field number, type or packing shows up here.
/// </summary>
public class WireFormatTests
{
    [Fact]
    public void Hand_encoded_model_parses_into_the_expected_fields_and_reserializes_identically()
    {
        var bytes = HandEncodedModel();

        var model = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(8, model.IrVersion);
        Assert.Equal("prod", model.ProducerName);
        Assert.Equal("1.0", model.ProducerVersion);
        Assert.Equal("com.example", model.Domain);
        Assert.Equal(42, model.ModelVersion);
        Assert.Equal("model doc", model.DocString);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        var meta = Assert.Single(model.MetadataProps);
        Assert.Equal(("k", "v"), (meta.Key, meta.Value));

        var graph = model.Graph;
        Assert.Equal("g", graph.Name);
        Assert.Equal("graph doc", graph.DocString);
        var node = Assert.Single(graph.Node);
        Assert.Equal(["x", "w"], node.Input);
        Assert.Equal(["y"], node.Output);
        Assert.Equal("n0", node.Name);
        Assert.Equal("Add", node.OpType);
        Assert.Equal("node doc", node.DocString);

        var alpha = node.Attribute[0];
        Assert.Equal("alpha", alpha.Name);
        Assert.Equal(0.5f, alpha.F);
        Assert.Equal(AttributeProto.Types.AttributeType.Float, alpha.Type);
        var axes = node.Attribute[1];
        Assert.Equal([1L, -2L], axes.Ints);
        Assert.Equal(AttributeProto.Types.AttributeType.Ints, axes.Type);
        var mode = node.Attribute[2];
        Assert.Equal(3, mode.I);
        Assert.Equal("edge", mode.S.ToStringUtf8());
        Assert.Equal([0.25f], mode.Floats);

        var tensor = Assert.Single(graph.Initializer);
        Assert.Equal([2L, 3L], tensor.Dims);
        Assert.Equal(1, tensor.DataType);
        Assert.Equal([1f, 2f], tensor.FloatData);
        Assert.Equal([7L], tensor.Int64Data);
        Assert.Equal("w", tensor.Name);
        Assert.Equal([0xAB, 0xCD], tensor.RawData.ToByteArray());

        var x = graph.Input[0];
        Assert.Equal("x", x.Name);
        Assert.Equal(1, x.Type.TensorType.ElemType);
        Assert.Equal("N", x.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, x.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("DATA_CHANNEL", x.Type.TensorType.Shape.Dim[1].Denotation);
        Assert.Equal("y", graph.Output[0].Name);
        Assert.Equal("mid", graph.ValueInfo[0].Name);

        // Byte-identical re-serialization proves our packing choices match the specification's.
        Assert.Equal(bytes, model.ToByteArray());
    }

    [Fact]
    public void Dims_and_attribute_lists_are_written_unpacked_and_typed_data_packed_as_in_the_specification()
    {
        var tensor = new TensorProto { DataType = 1 };
        tensor.Dims.Add([2, 3]);
        tensor.FloatData.Add([1f, 2f]);
        var attribute = new AttributeProto { Name = "a", Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add([4, 5]);

        byte[] expectedTensor = [.. Varint(1, 2), .. Varint(1, 3), .. Varint(2, 1), .. Bytes(4, [.. Float(1f), .. Float(2f)])];
        byte[] expectedAttribute = [.. Text(1, "a"), .. Varint(8, 4), .. Varint(8, 5), .. Varint(20, 7)];

        Assert.Equal(expectedTensor, tensor.ToByteArray());
        Assert.Equal(expectedAttribute, attribute.ToByteArray());
    }

    private static byte[] HandEncodedModel()
    {
        byte[] dimN = Text(2, "N");
        byte[] dim3 = [.. Varint(1, 3), .. Text(3, "DATA_CHANNEL")];
        byte[] shape = [.. Bytes(1, dimN), .. Bytes(1, dim3)];
        byte[] floatType = Bytes(1, [.. Varint(1, 1), .. Bytes(2, shape)]);
        byte[] inputX = [.. Text(1, "x"), .. Bytes(2, floatType)];
        byte[] outputY = [.. Text(1, "y"), .. Bytes(2, floatType)];
        byte[] valueMid = [.. Text(1, "mid"), .. Bytes(2, floatType)];

        byte[] tensor =
        [
            .. Varint(1, 2), .. Varint(1, 3),              // dims, unpacked as the reference's proto2 writes them
            .. Varint(2, 1),                               // data_type FLOAT
            .. Bytes(4, [.. Float(1f), .. Float(2f)]),     // float_data, packed
            .. Bytes(7, VarintPayload(7)),                 // int64_data, packed
            .. Text(8, "w"),
            .. Bytes(9, [0xAB, 0xCD]),                     // raw_data
        ];

        byte[] alpha = [.. Text(1, "alpha"), .. Fixed32(2, 0.5f), .. Varint(20, 1)];
        byte[] axes = [.. Text(1, "axes"), .. Varint(8, 1), .. Varint(8, unchecked((ulong)-2L)), .. Varint(20, 7)];
        byte[] mode = [.. Text(1, "mode"), .. Varint(3, 3), .. Text(4, "edge"), .. Fixed32(7, 0.25f), .. Varint(20, 2)];

        byte[] node =
        [
            .. Text(1, "x"), .. Text(1, "w"), .. Text(2, "y"), .. Text(3, "n0"), .. Text(4, "Add"),
            .. Bytes(5, alpha), .. Bytes(5, axes), .. Bytes(5, mode), .. Text(6, "node doc"),
        ];

        byte[] graph =
        [
            .. Bytes(1, node), .. Text(2, "g"), .. Bytes(5, tensor), .. Text(10, "graph doc"),
            .. Bytes(11, inputX), .. Bytes(12, outputY), .. Bytes(13, valueMid),
        ];

        return
        [
            .. Varint(1, 8),                     // ir_version
            .. Text(2, "prod"),                  // producer_name
            .. Text(3, "1.0"),                   // producer_version
            .. Text(4, "com.example"),           // domain
            .. Varint(5, 42),                    // model_version
            .. Text(6, "model doc"),             // doc_string
            .. Bytes(7, graph),                  // graph
            .. Bytes(8, Varint(2, 17)),          // opset_import { version: 17 } (empty domain not written)
            .. Bytes(14, [.. Text(1, "k"), .. Text(2, "v")]), // metadata_props
        ];
    }

    private static byte[] Varint(int field, ulong value) => [.. VarintPayload((ulong)field << 3), .. VarintPayload(value)];

    private static byte[] Fixed32(int field, float value) => [.. VarintPayload(((ulong)field << 3) | 5), .. Float(value)];

    private static byte[] Bytes(int field, byte[] payload) =>
        [.. VarintPayload(((ulong)field << 3) | 2), .. VarintPayload((ulong)payload.Length), .. payload];

    private static byte[] Text(int field, string text) => Bytes(field, Encoding.UTF8.GetBytes(text));

    private static byte[] Float(float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] VarintPayload(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var low = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? low : (byte)(low | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
