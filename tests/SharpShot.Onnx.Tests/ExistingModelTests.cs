using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx.Tests;

/// <summary><see cref="OnnxGraphBuilder.FromModel(byte[])"/>: extending a model that already exists.</summary>
public class ExistingModelTests
{
    private static readonly OnnxDimension N = OnnxDimension.Symbolic("N");

    [Fact]
    public void A_model_read_and_built_again_is_the_same_bytes_unknown_fields_included()
    {
        var model = SampleGraphs.SmallCnn(opset: 21).Build();
        model.Domain = "com.example";
        model.ModelVersion = 42;
        model.DocString = "a doc string";
        model.ProducerName = "another tool";
        model.ProducerVersion = "9.9";
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 });
        model.Graph.DocString = "graph doc";
        // training_info (field 20) and functions (field 25) are not declared in our onnx.proto: unknown fields.
        byte[] bytes = [.. model.ToByteArray(), .. LengthDelimited(20, [1, 2, 3]), .. LengthDelimited(25, [4, 5])];

        var builder = OnnxGraphBuilder.FromModel(bytes);

        Assert.Equal(bytes, builder.ToBytes());
        Assert.Equal(21, builder.Opset);
        Assert.Equal(10, builder.IrVersion);
        Assert.Equal("another tool", builder.ProducerName);
        Assert.Equal("9.9", builder.ProducerVersion);
        Assert.Equal("a doc string", builder.DocString);
        Assert.Equal(["image: Float[N, 1, 6, 6]"], builder.Inputs.Select(i => i.ToString()));
        Assert.Equal(["logits: Float[N, 3]"], builder.Outputs.Select(o => o.ToString()));
    }

    [Fact]
    public void A_head_appended_with_the_building_calls_replaces_the_output_whose_type_stays_as_value_info()
    {
        var builder = OnnxGraphBuilder.FromModel(SampleGraphs.SmallCnn().ToBytes());
        var logits = builder.Outputs.Single().Name;

        var scale = builder.AddInitializer("scale", [0.5f]);
        var scaled = builder.AddNode("Mul", [logits, scale], "scaled");
        var probabilities = builder.AddNode("Softmax", [scaled], "probabilities", OnnxAttribute.Int("axis", 1));
        builder.RemoveOutput(logits);
        builder.AddOutput(probabilities, OnnxElementType.Float, [N, 3], "what the output holds");
        builder.SetMetadata("head", "softmax");
        var model = OnnxModelInfo.Read(builder.ToBytes());

        Assert.Equal(["probabilities: Float[N, 3]"], model.Outputs.Select(o => o.ToString()));
        Assert.Equal("what the output holds", model.Proto.Graph.Output[0].DocString);
        var kept = Assert.Single(model.Proto.Graph.ValueInfo);
        Assert.Equal(SampleGraphs.SmallCnn().Build().Graph.Output[0], kept);
        Assert.Equal(["Conv", "Relu", "MaxPool", "Reshape", "Gemm", "Mul", "Softmax"], model.Proto.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["image"], model.Inputs.Select(i => i.Name));
        Assert.Equal(6, model.Proto.Graph.Initializer.Count);
        Assert.Equal("softmax", model.Metadata["head"]);
        Assert.Equal("1,6,6", model.Metadata[SharpShotMetadata.InputShape]);
    }

    [Fact]
    public void Removing_an_output_that_is_a_graph_input_adds_no_value_info_and_an_unknown_output_is_named()
    {
        var builder = new OnnxGraphBuilder("g");
        var x = builder.AddInput("x", OnnxElementType.Float, [4]);
        builder.AddOutput(x, OnnxElementType.Float, [4]);
        builder.AddOutput(builder.AddNode("Relu", [x], "y"), OnnxElementType.Float, [4]);

        var e = Assert.Throws<InvalidOperationException>(() => builder.RemoveOutput("z"));
        builder.RemoveOutput(x);

        Assert.Contains("'z'", e.Message);
        Assert.Contains("['x', 'y']", e.Message);
        var graph = builder.Build().Graph;
        Assert.Equal(["y"], graph.Output.Select(o => o.Name));
        Assert.Empty(graph.ValueInfo);
    }

    [Fact]
    public void New_names_avoid_every_name_the_model_uses_subgraphs_included()
    {
        var model = SampleGraphs.TinyRelu().Build();
        var condition = new TensorProto { Name = "cond", DataType = (int)OnnxElementType.Bool, RawData = ByteString.CopyFrom(1) };
        model.Graph.Initializer.Add(condition);
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(new NodeProto { OpType = "Neg", Name = "Neg_0", Input = { "y" }, Output = { "hidden" } });
        thenBranch.Output.Add(new ValueInfoProto { Name = "hidden" });
        var branch = new NodeProto { OpType = "If", Name = "If_0", Input = { "cond" }, Output = { "branch" } };
        branch.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        model.Graph.Node.Add(branch);
        model.Graph.ValueInfo.Add(new ValueInfoProto { Name = "annotated" });

        var builder = OnnxGraphBuilder.FromModel(model.ToByteArray());

        Assert.Equal("hidden_1", builder.UniqueName("hidden"));
        Assert.Equal("annotated_1", builder.UniqueName("annotated"));
        Assert.Equal("cond_1", builder.AddInitializer("cond", [1f]));
        Assert.Throws<ArgumentException>(() => builder.AddInput("hidden", OnnxElementType.Float, [1]));
        // A subgraph's values are not in scope in the main graph.
        Assert.Throws<InvalidOperationException>(() => builder.AddNode("Relu", ["hidden"], "out"));
        Assert.Throws<InvalidOperationException>(() => builder.AddOutput("cond", OnnxElementType.Bool, []));
        var neg = builder.AddNode("Neg", ["branch"], "y");
        Assert.Equal("y_1", neg);
        Assert.Equal("Neg_1", builder.Build().Graph.Node.Last().Name);
    }

    [Fact]
    public void Before_ir_version_4_new_initializers_become_inputs_and_the_models_own_are_not_listed_twice()
    {
        var original = SampleGraphs.SmallCnn(opset: 8).Build();
        var builder = OnnxGraphBuilder.FromModel(original.ToByteArray());

        var scale = builder.AddInitializer("scale", [2f, 3f], 2);
        builder.AddOutput(builder.AddNode("Mul", [builder.Outputs[0].Name, scale], "scaled"), OnnxElementType.Float, [N, 3]);
        var graph = builder.Build().Graph;

        Assert.Equal(3, builder.IrVersion);
        Assert.Equal(original.Graph.Input.Select(v => v.Name).Append(scale), graph.Input.Select(v => v.Name));
        Assert.Equal([2L], graph.Input.Last().Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        Assert.Equal(["image"], builder.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void Setting_metadata_on_a_read_model_replaces_the_first_entry_in_place_and_drops_repeats()
    {
        var model = SampleGraphs.TinyRelu().Build();
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "first" });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "other", Value = "kept" });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "repeat" });
        var builder = OnnxGraphBuilder.FromModel(model.ToByteArray());

        builder.SetMetadata("k", "new");

        var props = builder.Build().MetadataProps;
        Assert.Equal([("k", "new"), ("other", "kept")], props.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void A_model_without_the_default_domain_or_that_is_no_model_is_refused()
    {
        var model = SampleGraphs.TinyRelu().Build();
        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.example", Version = 1 });

        var noDefault = Assert.Throws<NotSupportedException>(() => OnnxGraphBuilder.FromModel(model.ToByteArray()));
        Assert.Throws<OnnxFormatException>(() => OnnxGraphBuilder.FromModel([1, 2, 3]));

        Assert.Contains("'com.example' 1", noDefault.Message);
        Assert.Contains("default-domain", noDefault.Message);
    }

    [Fact]
    public void The_spelled_out_default_domain_gives_the_opset()
    {
        var model = SampleGraphs.TinyRelu().Build();
        model.OpsetImport[0].Domain = "ai.onnx";
        model.OpsetImport[0].Version = 19;

        var builder = OnnxGraphBuilder.FromModel(model.ToByteArray());

        Assert.Equal(19, builder.Opset);
    }

    /// <summary>A length-delimited protobuf field with a short payload, encoded by hand.</summary>
    private static byte[] LengthDelimited(int field, byte[] payload) => [.. Varint((ulong)((field << 3) | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7)
        {
            bytes.Add((byte)(value | 0x80));
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }
}
