using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx.Tests;

/// <summary>Writing tensors whose bytes live in external files, and <see cref="OnnxGraphBuilder.InlineExternalData"/>.</summary>
public class ExternalDataTests
{
    private static readonly float[] Weights = [1.5f, -2f, 3.25f, 0f, 7f, -0.5f];

    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("SECRET-0123456789-do-not-embed!!");

    [Fact]
    public void External_initializer_and_tensor_attribute_are_written_as_location_offset_and_length()
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2, 3]);
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("weights/w.bin", 16, 24), 2, 3);
        var v = b.AddNode("Constant", [], "v", OnnxAttribute.ExternalTensor("value", OnnxElementType.Int64, new OnnxExternalData("v.bin"), 2));
        b.AddOutput(b.AddNode("Add", [x, w], "y"), OnnxElementType.Float, [2, 3]);
        b.AddOutput(v, OnnxElementType.Int64, [2]);

        var graph = b.Build().Graph;

        var initializer = Assert.Single(graph.Initializer);
        Assert.Equal(TensorProto.Types.DataLocation.External, initializer.DataLocation);
        Assert.Equal([("location", "weights/w.bin"), ("offset", "16"), ("length", "24")], initializer.ExternalData.Select(e => (e.Key, e.Value)));
        Assert.Equal([2L, 3L], initializer.Dims);
        Assert.Equal((int)OnnxElementType.Float, initializer.DataType);
        Assert.True(initializer.RawData.IsEmpty);
        var attribute = graph.Node[0].Attribute.Single().T;
        Assert.Equal(TensorProto.Types.DataLocation.External, attribute.DataLocation);
        Assert.Equal([("location", "v.bin")], attribute.ExternalData.Select(e => (e.Key, e.Value)));
    }

    [Fact]
    public void External_data_descriptions_are_checked_against_the_shape_and_type()
    {
        var b = new OnnxGraphBuilder("g");

        var wrongLength = Assert.Throws<ArgumentException>(() =>
            b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("w.bin", 0, 20), 2, 3));
        var strings = Assert.Throws<ArgumentException>(() =>
            OnnxAttribute.ExternalTensor("value", OnnxElementType.String, new OnnxExternalData("s.bin"), 2));

        Assert.Contains("takes 20 bytes", wrongLength.Message);
        Assert.Contains("24 bytes", wrongLength.Message);
        Assert.Contains("String", strings.Message);
        Assert.Equal("w", b.UniqueName("w"));
        Assert.Throws<ArgumentException>(() => new OnnxExternalData(" "));
        Assert.Throws<ArgumentException>(() => new OnnxExternalData("a\0b"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExternalData("w.bin", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExternalData("w.bin", 0, -1));
    }

    [Fact]
    public void Tensors_in_files_inside_the_folder_are_inlined_everywhere_and_the_rest_is_kept()
    {
        using var temp = new TempFolder();
        var weightBytes = LittleEndian(Weights);
        File.WriteAllBytes(temp.File("model/weights/w.bin"), [.. new byte[8], .. weightBytes, 9, 9]);
        File.WriteAllBytes(temp.File("model/v.bin"), [.. LittleEndian(5L), .. LittleEndian(-6L)]);
        File.WriteAllBytes(temp.File("model/real.bin"), weightBytes);
        File.CreateSymbolicLink(temp.File("model/weights/link.bin"), "../real.bin");
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2, 3]);
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("weights/w.bin", 8, 24), 2, 3);
        var linked = b.AddExternalInitializer("linked", OnnxElementType.Float, new OnnxExternalData("./weights/link.bin"), 2, 3);
        var v = b.AddNode("Constant", [], "v", OnnxAttribute.ExternalTensor("value", OnnxElementType.Int64, new OnnxExternalData("v.bin"), 2));
        b.AddOutput(b.AddNode("Add", [x, w], "y"), OnnxElementType.Float, [2, 3]);
        b.AddOutput(b.AddNode("Add", [x, linked], "z"), OnnxElementType.Float, [2, 3]);
        b.AddOutput(v, OnnxElementType.Int64, [2]);
        b.DocString = "kept";
        var path = temp.File("model/model.onnx");
        b.Save(path);

        var builder = OnnxGraphBuilder.FromModel(File.ReadAllBytes(path));
        builder.InlineExternalData(Path.GetDirectoryName(path));

        var model = OnnxModelInfo.Read(builder.ToBytes()).Proto;
        Assert.All(model.Graph.Initializer, t => Assert.Equal(TensorProto.Types.DataLocation.Default, t.DataLocation));
        Assert.All(model.Graph.Initializer, t => Assert.Empty(t.ExternalData));
        Assert.Equal(weightBytes, model.Graph.Initializer[0].RawData.ToByteArray());
        Assert.Equal(weightBytes, model.Graph.Initializer[1].RawData.ToByteArray());
        var constant = model.Graph.Node[0].Attribute[0].T;
        Assert.Equal(TensorProto.Types.DataLocation.Default, constant.DataLocation);
        Assert.Equal([5L, -6L], [BinaryPrimitives.ReadInt64LittleEndian(constant.RawData.Span), BinaryPrimitives.ReadInt64LittleEndian(constant.RawData.Span[8..])]);
        Assert.Equal("kept", model.DocString);
        Assert.Equal(["x"], builder.Inputs.Select(i => i.Name));
    }

    [Theory]
    [InlineData("parent")]
    [InlineData("absolute")]
    [InlineData("climbing back out")]
    [InlineData("file link")]
    [InlineData("folder link")]
    [InlineData("link chain")]
    public void A_location_outside_the_models_folder_is_refused_and_nothing_of_the_file_is_read(string escape)
    {
        using var temp = new TempFolder();
        var location = HostileLocation(temp, escape);
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2]);
        b.AddNode("Constant", [], "unused", OnnxAttribute.ExternalTensor("value", OnnxElementType.Uint8, new OnnxExternalData(location), Secret.Length));
        b.AddOutput(b.AddNode("Relu", [x], "y"), OnnxElementType.Float, [2]);
        var builder = OnnxGraphBuilder.FromModel(b.ToBytes());

        var e = Assert.Throws<OnnxFormatException>(() => builder.InlineExternalData(temp.File("model/")));

        Assert.Contains("attribute 'value' of node 'Constant_0'", e.Message);
        Assert.Contains($"'{location}'", e.Message);
        Assert.Contains($"Only files inside the model's folder '{temp.File("model/")}' are read", e.Message);
        var after = builder.ToBytes();
        Assert.False(Contains(after, Secret), "The refused file's bytes must not be in the model.");
        Assert.Equal(TensorProto.Types.DataLocation.External, OnnxModelInfo.Read(after).Proto.Graph.Node[0].Attribute[0].T.DataLocation);
    }

    [Fact]
    public void A_hostile_initializer_in_a_subgraph_is_refused_as_well()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("secret.bin"), Secret);
        var inner = new OnnxGraphBuilder("then");
        var hidden = inner.AddExternalInitializer("hidden", OnnxElementType.Uint8, new OnnxExternalData("../secret.bin"), Secret.Length);
        inner.AddOutput(inner.AddNode("Identity", [hidden], "out"), OnnxElementType.Uint8, [Secret.Length]);
        var model = SampleGraphs.TinyRelu().Build();
        var branch = new NodeProto { OpType = "If", Name = "If_0", Input = { "x" }, Output = { "branch" } };
        branch.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = inner.Build().Graph });
        model.Graph.Node.Add(branch);
        var builder = OnnxGraphBuilder.FromModel(model.ToByteArray());

        var e = Assert.Throws<OnnxFormatException>(() => builder.InlineExternalData(temp.File("model/")));

        Assert.Contains("Initializer 'hidden'", e.Message);
        Assert.False(Contains(builder.ToBytes(), Secret));
    }

    [Fact]
    public void Byte_ranges_are_checked_against_the_file_before_anything_is_allocated()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("model/small.bin"), new byte[16]);

        var past = InlineOne(temp, OnnxElementType.Uint8, new OnnxExternalData("small.bin", 8, 12), 12);
        var offset = InlineOne(temp, OnnxElementType.Uint8, new OnnxExternalData("small.bin", 17), 0);
        // 2^40 bytes without a recorded length: the shape alone must not make the reader allocate a terabyte.
        var huge = InlineOne(temp, OnnxElementType.Uint8, new OnnxExternalData("small.bin"), 1L << 40);

        Assert.Contains("takes 12 bytes at offset 8 of 'small.bin', but that file holds 16 bytes", past.Message);
        Assert.Contains("offset 17", offset.Message);
        Assert.Contains("takes 1099511627776 bytes", huge.Message);
    }

    [Fact]
    public void Malformed_external_data_entries_are_named()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("model/w.bin"), new byte[8]);

        var noLocation = InlineEdited(temp, t => t.ExternalData.Clear());
        var twice = InlineEdited(temp, t => t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "../secret.bin" }));
        var notANumber = InlineEdited(temp, t => t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "-4" }));
        var wrongLength = InlineEdited(temp, t => t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "4" }));

        Assert.Contains("names no file", noLocation.Message);
        Assert.Contains("gives 'location' twice", twice.Message);
        Assert.Contains("offset of initializer 'w' is \"-4\"", notANumber.Message);
        Assert.Contains("takes 4 bytes of 'w.bin', but its shape [2] of Float needs 8", wrongLength.Message);
    }

    [Fact]
    public void A_missing_file_is_an_IOException_naming_the_tensor_and_no_folder_is_not_supported()
    {
        using var temp = new TempFolder();
        var b = new OnnxGraphBuilder("g");
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("absent.bin"), 2);
        b.AddOutput(b.AddNode("Neg", [w], "y"), OnnxElementType.Float, [2]);
        var bytes = b.ToBytes();

        var missing = Assert.Throws<IOException>(() => OnnxGraphBuilder.FromModel(bytes).InlineExternalData(temp.Path));
        var noFolder = Assert.Throws<NotSupportedException>(() => OnnxGraphBuilder.FromModel(bytes).InlineExternalData(null));
        var plain = OnnxGraphBuilder.FromModel(SampleGraphs.TinyRelu().ToBytes());
        plain.InlineExternalData(null);

        Assert.Contains("initializer 'w'", missing.Message);
        Assert.IsType<FileNotFoundException>(missing.InnerException);
        Assert.Contains("Initializer 'w'", noFolder.Message);
        Assert.Contains("'absent.bin'", noFolder.Message);
        Assert.Equal(SampleGraphs.TinyRelu().ToBytes(), plain.ToBytes());
    }

    /// <summary>
    /// Lays out <c>secret.bin</c> next to the folder <c>model/</c> (and in <c>outside/</c>), and returns a location,
    /// relative to <c>model/</c>, that reaches the secret in the given way.
    /// </summary>
    private static string HostileLocation(TempFolder temp, string escape)
    {
        var secret = temp.File("secret.bin");
        File.WriteAllBytes(secret, Secret);
        File.WriteAllBytes(temp.File("outside/secret.bin"), Secret);
        Directory.CreateDirectory(temp.File("model/sub/"));
        switch (escape)
        {
            case "parent":
                return "../secret.bin";
            case "absolute":
                return secret;
            case "climbing back out":
                return "sub/../../secret.bin";
            case "file link":
                File.CreateSymbolicLink(temp.File("model/innocent.bin"), secret);
                return "innocent.bin";
            case "folder link":
                Directory.CreateSymbolicLink(temp.File("model/data"), temp.File("outside/"));
                return "data/secret.bin";
            case "link chain":
                // A relative link to a link that climbs out: only resolving each step shows where it ends.
                File.CreateSymbolicLink(temp.File("model/sub/step.bin"), "../../secret.bin");
                File.CreateSymbolicLink(temp.File("model/first.bin"), "sub/step.bin");
                return "first.bin";
            default:
                throw new ArgumentOutOfRangeException(nameof(escape), escape, "Unknown case.");
        }
    }

    private static OnnxFormatException InlineOne(TempFolder temp, OnnxElementType type, OnnxExternalData data, params long[] dims)
    {
        var b = new OnnxGraphBuilder("g");
        var x = b.AddInput("x", OnnxElementType.Float, [2]);
        b.AddNode("Constant", [], "c", OnnxAttribute.ExternalTensor("value", type, data, dims));
        b.AddOutput(b.AddNode("Relu", [x], "y"), OnnxElementType.Float, [2]);
        var builder = OnnxGraphBuilder.FromModel(b.ToBytes());
        return Assert.Throws<OnnxFormatException>(() => builder.InlineExternalData(temp.File("model/")));
    }

    /// <summary>A model whose external initializer 'w' (two floats in <c>w.bin</c>) is edited by hand, inlined.</summary>
    private static OnnxFormatException InlineEdited(TempFolder temp, Action<TensorProto> edit)
    {
        var b = new OnnxGraphBuilder("g");
        var w = b.AddExternalInitializer("w", OnnxElementType.Float, new OnnxExternalData("w.bin"), 2);
        b.AddOutput(b.AddNode("Neg", [w], "y"), OnnxElementType.Float, [2]);
        var model = b.Build();
        edit(model.Graph.Initializer[0]);
        var builder = OnnxGraphBuilder.FromModel(model.ToByteArray());
        return Assert.Throws<OnnxFormatException>(() => builder.InlineExternalData(temp.File("model/")));
    }

    private static byte[] LittleEndian(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }
        return bytes;
    }

    private static byte[] LittleEndian(long value)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
