using Google.Protobuf;
using SharpShot.Onnx.Proto;

namespace SharpShot.Onnx.Tests;

public class OnnxModelInfoTests
{
    [Fact]
    public void Missing_file_throws_FileNotFoundException_naming_it()
    {
        using var temp = new TempFolder();
        var path = temp.File("absent.onnx");

        var e = Assert.Throws<FileNotFoundException>(() => OnnxModelInfo.Read(path));

        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Garbage_file_throws_OnnxFormatException_naming_the_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("notes.onnx");
        File.WriteAllText(path, "This is a text file, not a model.\n");

        var e = Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("not an ONNX model", e.Message);
    }

    [Fact]
    public void Empty_bytes_are_not_a_model()
    {
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read([]));

        Assert.Contains("empty", e.Message);
        Assert.Null(e.FilePath);
    }

    [Fact]
    public void Random_bytes_are_not_a_model()
    {
        var random = new Random(1234);
        for (var trial = 0; trial < 200; trial++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);

            Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(bytes));
        }
    }

    [Fact]
    public void Every_truncation_of_a_model_is_rejected()
    {
        // Without metadata the last field written is opset_import, so every proper prefix either
        // cuts a field in half or lacks the graph or the opset.
        var model = SampleGraphs.SmallCnn().Build();
        model.MetadataProps.Clear();
        var full = model.ToByteArray();
        Assert.NotNull(OnnxModelInfo.Read(full));

        for (var length = 0; length < full.Length; length++)
        {
            var prefix = full[..length];
            Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(prefix));
        }
    }

    [Fact]
    public void Truncated_file_message_mentions_truncation()
    {
        var full = SampleGraphs.SmallCnn().ToBytes();

        var e = Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(full[..(full.Length / 2)]));

        Assert.Contains("truncated", e.Message);
        Assert.IsType<InvalidProtocolBufferException>(e.InnerException);
    }

    [Fact]
    public void Protobuf_that_lacks_the_parts_of_a_model_is_rejected_saying_what_is_missing()
    {
        var good = SampleGraphs.TinyRelu().Build();

        var noIr = good.Clone();
        noIr.IrVersion = 0;
        var noGraph = good.Clone();
        noGraph.Graph = null;
        var noOpset = good.Clone();
        noOpset.OpsetImport.Clear();

        Assert.Contains("IR version", Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(noIr.ToByteArray())).Message);
        Assert.Contains("no graph", Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(noGraph.ToByteArray())).Message);
        Assert.Contains("operator set", Assert.Throws<OnnxFormatException>(() => OnnxModelInfo.Read(noOpset.ToByteArray())).Message);
    }

    [Fact]
    public void Read_from_path_and_from_bytes_agree()
    {
        using var temp = new TempFolder();
        var path = temp.File("cnn.onnx");
        var builder = SampleGraphs.SmallCnn();
        builder.Save(path);

        var fromPath = OnnxModelInfo.Read(path);
        var fromBytes = OnnxModelInfo.Read(builder.ToBytes());

        Assert.Equal(fromBytes.Proto, fromPath.Proto);
        Assert.Equal(fromBytes.Inputs.Select(i => i.ToString()), fromPath.Inputs.Select(i => i.ToString()));
        Assert.Equal("image: Float[N, 1, 6, 6]", fromPath.Inputs[0].ToString());
    }

    [Fact]
    public void Spelled_out_default_domain_and_other_domains_are_reported()
    {
        var model = SampleGraphs.TinyRelu().Build();
        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx", Version = 13 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 });

        var info = OnnxModelInfo.Read(model.ToByteArray());

        Assert.Equal(13, info.OpsetImports[""]);
        Assert.Equal(3, info.OpsetImports["ai.onnx.ml"]);
    }

    [Fact]
    public void Non_tensor_values_and_negative_dims_are_read_leniently()
    {
        var model = SampleGraphs.TinyRelu().Build();
        model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = -1;
        model.Graph.Output[0].Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence() };

        var info = OnnxModelInfo.Read(model.ToByteArray());

        Assert.Equal([OnnxDimension.Symbolic("N"), OnnxDimension.Unknown], info.Inputs[0].Shape);
        Assert.Equal(OnnxElementType.Undefined, info.Outputs[0].ElementType);
        Assert.Empty(info.Outputs[0].Shape);
    }
}
