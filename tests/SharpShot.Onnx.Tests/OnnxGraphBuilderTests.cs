using System.Buffers.Binary;
using System.Reflection;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx.Tests;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void Round_trip_through_bytes_keeps_signature_versions_and_metadata()
    {
        var builder = SampleGraphs.SmallCnn();
        builder.DocString = "a small CNN";

        var info = OnnxModelInfo.Read(builder.ToBytes());

        Assert.Equal(8, info.IrVersion);
        Assert.Equal(new Dictionary<string, long> { [""] = 17 }, info.OpsetImports);
        Assert.Equal("SharpShot", info.ProducerName);
        Assert.Equal(builder.ProducerVersion, info.ProducerVersion);
        Assert.Equal("a small CNN", info.Proto.DocString);
        Assert.Equal("small_cnn", info.Proto.Graph.Name);

        var input = Assert.Single(info.Inputs);
        Assert.Equal("image", input.Name);
        Assert.Equal(OnnxElementType.Float, input.ElementType);
        Assert.Equal([OnnxDimension.Symbolic("N"), OnnxDimension.Fixed(1), OnnxDimension.Fixed(6), OnnxDimension.Fixed(6)], input.Shape);

        var output = Assert.Single(info.Outputs);
        Assert.Equal("logits", output.Name);
        Assert.Equal([OnnxDimension.Symbolic("N"), OnnxDimension.Fixed(3)], output.Shape);

        Assert.Equal("1,6,6", info.Metadata[SharpShotMetadata.InputShape]);
        Assert.Equal("[\"a\",\"b\",\"c\"]", info.Metadata[SharpShotMetadata.ClassLabels]);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Reshape", "Gemm"], info.Proto.Graph.Node.Select(n => n.OpType));
        Assert.Equal(5, info.Proto.Graph.Initializer.Count);
    }

    [Fact]
    public void Producer_defaults_to_SharpShot_and_this_assemblys_informational_version()
    {
        var builder = new OnnxGraphBuilder("g");
        var expected = typeof(OnnxGraphBuilder).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.Equal("SharpShot", builder.ProducerName);
        Assert.Equal(expected, builder.ProducerVersion);
        Assert.False(string.IsNullOrEmpty(builder.ProducerVersion));
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(8, 3)]
    [InlineData(9, 4)]
    [InlineData(10, 5)]
    [InlineData(11, 6)]
    [InlineData(12, 7)]
    [InlineData(14, 7)]
    [InlineData(15, 8)]
    [InlineData(17, 8)]
    [InlineData(18, 8)]
    [InlineData(19, 9)]
    [InlineData(20, 9)]
    [InlineData(21, 10)]
    [InlineData(22, 10)]
    [InlineData(23, 11)]
    public void Ir_version_follows_the_onnx_release_table(int opset, long irVersion)
    {
        var builder = new OnnxGraphBuilder("g", opset);

        Assert.Equal(opset, builder.Opset);
        Assert.Equal(irVersion, builder.IrVersion);
    }

    [Fact]
    public void Built_model_declares_the_chosen_opset_and_its_ir_version()
    {
        var info = OnnxModelInfo.Read(SampleGraphs.SmallCnn(opset: 21).ToBytes());

        Assert.Equal(10, info.IrVersion);
        Assert.Equal(21, info.OpsetImports[""]);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(24)]
    [InlineData(0)]
    public void Unsupported_opset_is_rejected_naming_the_range(int opset)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxGraphBuilder("g", opset));

        Assert.Equal("opset", e.ParamName);
        Assert.Contains("between 7 and 23", e.Message);
    }

    [Fact]
    public void Before_ir_version_4_initializers_are_also_graph_inputs_but_not_data_inputs()
    {
        var builder = SampleGraphs.SmallCnn(opset: 8);

        var info = OnnxModelInfo.Read(builder.ToBytes());

        Assert.Equal(3, info.IrVersion);
        var initializerNames = info.Proto.Graph.Initializer.Select(t => t.Name).ToArray();
        Assert.Equal(1 + initializerNames.Length, info.Proto.Graph.Input.Count);
        Assert.All(initializerNames, n => Assert.Contains(info.Proto.Graph.Input, v => v.Name == n));
        var convWeight = info.Proto.Graph.Input.Single(v => v.Name == "conv.weight");
        Assert.Equal([2L, 1, 3, 3], convWeight.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        Assert.Equal("image", Assert.Single(info.Inputs).Name);
    }

    [Fact]
    public void From_ir_version_4_initializers_are_not_graph_inputs()
    {
        var model = SampleGraphs.SmallCnn(opset: 9).Build();

        Assert.Equal(4, model.IrVersion);
        Assert.Equal("image", Assert.Single(model.Graph.Input).Name);
    }

    [Fact]
    public void UniqueName_returns_the_hint_when_free_and_numbers_it_otherwise_without_reserving()
    {
        var b = new OnnxGraphBuilder("g");

        Assert.Equal("x", b.UniqueName("x"));
        Assert.Equal("x", b.UniqueName("x"));
        b.AddInput("x", OnnxElementType.Float, [1]);
        Assert.Equal("x_1", b.UniqueName("x"));
        Assert.Equal("x_1", b.AddInitializer("x", [1f], 1));
        Assert.Equal("x_2", b.AddInitializer("x", [2f], 1));
        Assert.Equal("x_3", b.UniqueName("x"));
        Assert.Equal("y", b.UniqueName("y"));
    }

    [Fact]
    public void Node_outputs_and_node_names_are_unique()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2]);
        var r1 = b.AddNode("Relu", [x], "act");
        var r2 = b.AddNode("Relu", [r1], "act");
        var parts = b.AddNode("Split", [r2], ["part", "part"], OnnxAttribute.Int("axis", 0));
        b.AddOutput(parts[0], OnnxElementType.Float, [1]);

        var graph = b.Build().Graph;

        Assert.Equal("act", r1);
        Assert.Equal("act_1", r2);
        Assert.Equal(["part", "part_1"], parts);
        Assert.Equal(["Relu_0", "Relu_1", "Split_0"], graph.Node.Select(n => n.Name));
        Assert.Equal(["part", "part_1"], graph.Node[2].Output);
    }

    [Fact]
    public void Empty_input_name_omits_an_optional_input_and_is_kept_in_order()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 4]);
        var max = b.AddInitializer("max", [6f]);
        var y = b.AddNode("Clip", [x, "", max], "y");
        b.AddOutput(y, OnnxElementType.Float, [OnnxDimension.Symbolic("N"), 4]);

        Assert.Equal(["x", "", "max"], b.Build().Graph.Node[0].Input);
    }

    [Fact]
    public void Empty_output_hint_omits_an_optional_output()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [4]);
        var outputs = b.AddNode("Dropout", [x], ["y", ""]);

        Assert.Equal(["y", ""], outputs);
        Assert.Equal("y_1", b.UniqueName("y"));
    }

    [Fact]
    public void Unknown_node_input_is_rejected_naming_it_and_leaves_the_graph_unchanged()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [4]);

        var e = Assert.Throws<InvalidOperationException>(() => b.AddNode("Add", [x, "missing_bias"], "y"));

        Assert.Contains("'missing_bias'", e.Message);
        Assert.Equal("y", b.UniqueName("y"));
        var y = b.AddNode("Relu", [x], "y");
        b.AddOutput(y, OnnxElementType.Float, [4]);
        Assert.Equal("Relu_0", Assert.Single(b.Build().Graph.Node).Name);
    }

    [Fact]
    public void Output_must_be_a_node_output_or_an_input()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [4]);
        var w = b.AddInitializer("w", [1f, 2f, 3f, 4f], 4);

        var unknown = Assert.Throws<InvalidOperationException>(() => b.AddOutput("nowhere", OnnxElementType.Float, [4]));
        var initializer = Assert.Throws<InvalidOperationException>(() => b.AddOutput(w, OnnxElementType.Float, [4]));
        b.AddOutput(x, OnnxElementType.Float, [4]);
        var twice = Assert.Throws<InvalidOperationException>(() => b.AddOutput(x, OnnxElementType.Float, [4]));

        Assert.Contains("'nowhere'", unknown.Message);
        Assert.Contains("initializer", initializer.Message);
        Assert.Contains("already an output", twice.Message);
    }

    [Fact]
    public void Initializer_size_mismatch_names_both_counts()
    {
        var b = new OnnxGraphBuilder("g");

        var e = Assert.Throws<ArgumentException>(() => b.AddInitializer("w", new float[5], 2, 3));
        var longs = Assert.Throws<ArgumentException>(() => b.AddInitializer("shape", [1L, 2L, 3L], 2));

        Assert.Contains("5 values", e.Message);
        Assert.Contains("[2, 3] holds 6", e.Message);
        Assert.Contains("3 values", longs.Message);
        Assert.Contains("[2] holds 2", longs.Message);
        Assert.Equal("w", b.UniqueName("w"));
    }

    [Fact]
    public void Negative_initializer_dim_is_rejected()
    {
        var b = new OnnxGraphBuilder("g");

        var e = Assert.Throws<ArgumentException>(() => b.AddInitializer("w", new float[2], -2));

        Assert.Contains("negative", e.Message);
    }

    [Fact]
    public void Scalar_initializer_has_no_dims_and_one_value()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [3]);
        var two = b.AddInitializer("two", [2f]);
        b.AddOutput(b.AddNode("Mul", [x, two], "y"), OnnxElementType.Float, [3]);

        var tensor = Assert.Single(b.Build().Graph.Initializer);

        Assert.Empty(tensor.Dims);
        Assert.Equal(2f, BinaryPrimitives.ReadSingleLittleEndian(tensor.RawData.Span));
    }

    [Fact]
    public void Initializers_are_stored_as_little_endian_raw_data()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2, 3]);
        var w = b.AddInitializer("w", [1.5f, -2f, 3.25f, 0f, float.MaxValue, -0f], 2, 3);
        var shape = b.AddInitializer("shape", [3L, -1L, long.MaxValue], 3);
        var added = b.AddNode("Add", [x, w], "sum");
        b.AddOutput(added, OnnxElementType.Float, [2, 3]);

        var tensors = b.Build().Graph.Initializer.ToDictionary(t => t.Name);

        var floats = tensors[w];
        Assert.Equal((int)OnnxElementType.Float, floats.DataType);
        Assert.Equal([2L, 3L], floats.Dims);
        Assert.Empty(floats.FloatData);
        var floatBytes = floats.RawData.ToByteArray();
        Assert.Equal(24, floatBytes.Length);
        Assert.Equal([1.5f, -2f, 3.25f, 0f, float.MaxValue, -0f],
            Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadSingleLittleEndian(floatBytes.AsSpan(i * 4))));
        Assert.Equal([0x00, 0x00, 0xC0, 0x3F], floatBytes[..4]); // 1.5f, IEEE 754 little-endian

        var int64s = tensors[shape];
        Assert.Equal((int)OnnxElementType.Int64, int64s.DataType);
        Assert.Equal([3L], int64s.Dims);
        var longBytes = int64s.RawData.ToByteArray();
        Assert.Equal([3L, -1L, long.MaxValue],
            Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadInt64LittleEndian(longBytes.AsSpan(i * 8))));
    }

    [Fact]
    public void Initializer_copies_its_values()
    {
        var b = new OnnxGraphBuilder("g");
        var values = new[] { 1f, 2f };
        var w = b.AddInitializer("w", values, 2);
        values[0] = 99f;
        var x = b.AddInput("x", OnnxElementType.Float, [2]);
        b.AddOutput(b.AddNode("Add", [x, w], "y"), OnnxElementType.Float, [2]);

        var raw = b.Build().Graph.Initializer[0].RawData.Span;

        Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(raw));
    }

    [Fact]
    public void Attributes_carry_their_type_discriminator_and_value()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2]);
        var y = b.AddNode("Custom", [x], "y",
            OnnxAttribute.Int("i", -7),
            OnnxAttribute.Ints("is", 1, 2, 3),
            OnnxAttribute.Float("f", 0.25f),
            OnnxAttribute.Floats("fs", 1.5f, -1.5f),
            OnnxAttribute.String("s", "héllo"),
            OnnxAttribute.Tensor("t", [1f, 2f, 3f, 4f], 2, 2),
            OnnxAttribute.Tensor("tl", [5L, 6L], 2));
        b.AddOutput(y, OnnxElementType.Float, [2]);

        var attributes = b.Build().Graph.Node[0].Attribute.ToDictionary(a => a.Name);

        Assert.Equal(AttributeProto.Types.AttributeType.Int, attributes["i"].Type);
        Assert.Equal(-7, attributes["i"].I);
        Assert.Equal(AttributeProto.Types.AttributeType.Ints, attributes["is"].Type);
        Assert.Equal([1L, 2L, 3L], attributes["is"].Ints);
        Assert.Equal(AttributeProto.Types.AttributeType.Float, attributes["f"].Type);
        Assert.Equal(0.25f, attributes["f"].F);
        Assert.Equal(AttributeProto.Types.AttributeType.Floats, attributes["fs"].Type);
        Assert.Equal([1.5f, -1.5f], attributes["fs"].Floats);
        Assert.Equal(AttributeProto.Types.AttributeType.String, attributes["s"].Type);
        Assert.Equal("héllo", attributes["s"].S.ToStringUtf8());
        Assert.Equal(AttributeProto.Types.AttributeType.Tensor, attributes["t"].Type);
        Assert.Equal([2L, 2L], attributes["t"].T.Dims);
        Assert.Equal((int)OnnxElementType.Float, attributes["t"].T.DataType);
        Assert.Equal(16, attributes["t"].T.RawData.Length);
        Assert.Equal((int)OnnxElementType.Int64, attributes["tl"].T.DataType);
        Assert.Equal(6L, BinaryPrimitives.ReadInt64LittleEndian(attributes["tl"].T.RawData.Span[8..]));
    }

    [Fact]
    public void Tensor_attribute_checks_its_size_and_node_rejects_duplicate_attribute_names()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2]);

        var size = Assert.Throws<ArgumentException>(() => OnnxAttribute.Tensor("value", [1f, 2f, 3f], 2, 2));
        var duplicate = Assert.Throws<ArgumentException>(() =>
            b.AddNode("LeakyRelu", [x], "y", OnnxAttribute.Float("alpha", 0.1f), OnnxAttribute.Float("alpha", 0.2f)));

        Assert.Contains("3 values", size.Message);
        Assert.Contains("holds 4", size.Message);
        Assert.Contains("'alpha'", duplicate.Message);
    }

    [Fact]
    public void Input_names_are_used_as_given_and_must_be_unique()
    {
        var b = new OnnxGraphBuilder("g");
        b.AddInput("x", OnnxElementType.Float, [1]);
        b.AddInitializer("w", [1f], 1);

        Assert.Throws<ArgumentException>(() => b.AddInput("x", OnnxElementType.Float, [1]));
        var e = Assert.Throws<ArgumentException>(() => b.AddInput("w", OnnxElementType.Float, [1]));
        Assert.Contains("initializer", e.Message);
        Assert.Throws<ArgumentException>(() => b.AddInput("z", OnnxElementType.Undefined, [1]));
        Assert.Throws<ArgumentException>(() => b.AddInput("", OnnxElementType.Float, [1]));
    }

    [Fact]
    public void Shapes_keep_fixed_symbolic_and_unknown_axes()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [OnnxDimension.Symbolic("batch"), OnnxDimension.Unknown, 0, 7]);
        b.AddOutput(x, OnnxElementType.Float, [OnnxDimension.Symbolic("batch"), OnnxDimension.Unknown, 0, 7]);

        var dims = b.Build().Graph.Input[0].Type.TensorType.Shape.Dim;
        var shape = OnnxModelInfo.Read(b.ToBytes()).Inputs[0].Shape;

        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.None, dims[1].ValueCase);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, dims[2].ValueCase); // 0 is written, not dropped
        Assert.Equal([OnnxDimension.Symbolic("batch"), OnnxDimension.Unknown, OnnxDimension.Fixed(0), OnnxDimension.Fixed(7)], shape);
    }

    [Fact]
    public void Setting_metadata_twice_replaces_the_value_in_place()
    {
        var b = SampleGraphs.TinyRelu();
        b.SetMetadata("first", "1");
        b.SetMetadata("second", "2");
        b.SetMetadata("first", "one");

        var props = b.Build().MetadataProps;

        Assert.Equal(["first", "second"], props.Select(p => p.Key));
        Assert.Equal(["one", "2"], props.Select(p => p.Value));
    }

    [Fact]
    public void Build_without_outputs_fails_and_build_returns_independent_copies()
    {
        var empty = new OnnxGraphBuilder("empty");
        empty.AddInput("x", OnnxElementType.Float, [1]);
        Assert.Contains("no output", Assert.Throws<InvalidOperationException>(() => empty.Build()).Message);

        var b = SampleGraphs.TinyRelu();
        var first = b.Build();
        first.Graph.Node.Clear();
        first.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "v" });

        var second = b.Build();
        Assert.Single(second.Graph.Node);
        Assert.Empty(second.MetadataProps);
    }

    [Fact]
    public void Dimension_factories_validate_and_format()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxDimension.Fixed(-1));
        Assert.Throws<ArgumentException>(() => OnnxDimension.Symbolic(" "));
        Assert.Equal("N", OnnxDimension.Symbolic("N").ToString());
        Assert.Equal("28", ((OnnxDimension)28).ToString());
        Assert.Equal("?", OnnxDimension.Unknown.ToString());
        Assert.True(OnnxDimension.Fixed(3).IsFixed);
        Assert.True(OnnxDimension.Symbolic("N").IsSymbolic);
        Assert.False(OnnxDimension.Unknown.IsFixed || OnnxDimension.Unknown.IsSymbolic);
        Assert.Equal(OnnxDimension.Fixed(3), (OnnxDimension)3L);
    }
}
