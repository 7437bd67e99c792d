using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>The general tensor API: several named inputs and outputs, integer and float16 types, symbolic axes.</summary>
public class TensorApiTests
{
    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("N");

    [Fact]
    public void Several_inputs_and_outputs_of_mixed_types_run_by_name()
    {
        using var model = OnnxModel.Load(MixedTypes());
        Half[] halves = [(Half)1.5f, (Half)(-2f), (Half)0.25f, (Half)8f, (Half)0f, (Half)(-0.5f)];
        long[] ids = [1, 2, 3, 4, 5, 6];
        byte[] pixels = [0, 255, 128, 1, 2, 3];

        var outputs = model.Run(new Dictionary<string, OnnxTensor>
        {
            ["half"] = OnnxTensor.Create(halves, 2, 3),
            ["ids"] = OnnxTensor.Create(ids, 2, 3),
            ["pixels"] = OnnxTensor.Create(pixels, 2, 3),
        });

        Assert.Equal(["sum", "half_out", "positive"], outputs.Keys);
        var sum = outputs["sum"];
        Assert.Equal(OnnxElementType.Float, sum.ElementType);
        Assert.Equal([2L, 3L], sum.Shape);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)halves[i] + ids[i] + pixels[i]), sum.GetData<float>());
        Assert.Equal(halves.Select(h => (Half)((float)h * 2f)), outputs["half_out"].GetData<Half>());
        Assert.Equal(halves.Select(h => (float)h > 0), outputs["positive"].GetData<bool>());
    }

    [Fact]
    public void Inputs_and_outputs_report_types_and_symbolic_axes()
    {
        using var model = OnnxModel.Load(MixedTypes());

        Assert.Equal("half: Float16[N, 3]", model.Inputs[0].ToString());
        Assert.Equal("ids: Int64[N, 3]", model.Inputs[1].ToString());
        Assert.Equal("pixels: Uint8[N, 3]", model.Inputs[2].ToString());
        Assert.Equal(OnnxElementType.Bool, model.Outputs[2].ElementType);
        Assert.False(model.SupportsFloatApi);
    }

    [Fact]
    public void Only_the_outputs_asked_for_are_returned()
    {
        using var model = OnnxModel.Load(TestModels.TwoOutputs());

        var outputs = model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new[] { -1f, 2f, -3f, 4f }, 1, 4) }, ["b"]);

        Assert.Equal(["b"], outputs.Keys);
        Assert.Equal([1f, -2f, 3f, -4f], outputs["b"].GetData<float>());
    }

    [Fact]
    public void Mistakes_in_the_inputs_are_reported_before_onnx_runtime_sees_them()
    {
        using var model = OnnxModel.Load(TestModels.TwoInputs());
        var x = OnnxTensor.Create(new float[8], 2, 4);

        var missing = Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x }));
        var unknown = Assert.Throws<ArgumentException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x, ["z"] = x, ["w"] = x }));
        var wrongType = Assert.Throws<ArgumentException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x, ["z"] = OnnxTensor.Create(new long[8], 2, 4) }));
        var wrongRank = Assert.Throws<ShapeMismatchException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x, ["z"] = OnnxTensor.Create(new float[8], 8) }));
        var wrongFixedAxis = Assert.Throws<ShapeMismatchException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x, ["z"] = OnnxTensor.Create(new float[10], 2, 5) }));
        var twoSizesForN = Assert.Throws<ShapeMismatchException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x, ["z"] = OnnxTensor.Create(new float[12], 3, 4) }));
        var unknownOutput = Assert.Throws<ArgumentException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = x, ["z"] = x }, ["nope"]));

        Assert.Contains("Input 'z' (z: Float[N, 4]) was not given", missing.Message);
        Assert.Contains("no input 'w'", unknown.Message);
        Assert.Contains("takes Float values", wrongType.Message);
        Assert.Contains("Int64", wrongType.Message);
        Assert.Contains("has 2 axes", wrongRank.Message);
        Assert.Contains("fixed at 4; got 5", wrongFixedAxis.Message);
        Assert.Contains("'N' is 2 in input 'x' but 3 in input 'z'", twoSizesForN.Message);
        Assert.Contains("no output 'nope'", unknownOutput.Message);
    }

    [Fact]
    public void Tensors_check_their_own_shape_and_type()
    {
        Assert.Throws<ArgumentException>(() => OnnxTensor.Create(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => OnnxTensor.Create(new float[0], -1));
        Assert.Throws<ArgumentException>(() => OnnxTensor.Create(new decimal[1], 1));
        var scalar = OnnxTensor.Create(new[] { 3f });
        Assert.Empty(scalar.Shape);
        Assert.Throws<InvalidOperationException>(() => scalar.GetData<int>());
    }

    [Fact]
    public void Inputs_and_outputs_above_the_element_limit_are_refused()
    {
        using var model = OnnxModel.Load(Tiled(times: 100), new OnnxModelOptions { MaxTensorElements = 1000 });

        var input = Assert.Throws<LimitExceededException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new float[2000], 1, 2000) }));
        var output = Assert.Throws<LimitExceededException>(() =>
            model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new float[20], 1, 20) }));

        Assert.Equal("OnnxModelOptions.MaxTensorElements", input.LimitName);
        Assert.Equal(2000, input.Actual);
        Assert.Contains("Output 'y'", output.Message);
        Assert.Equal(2000, output.Actual);
    }

    /// <summary>half, ids, pixels [N, 3] → sum = float(half) + float(ids) + float(pixels); half_out = half × 2; positive = half > 0.</summary>
    private static byte[] MixedTypes()
    {
        var b = new OnnxGraphBuilder("mixed");
        var half = b.AddInput("half", OnnxElementType.Float16, [Batch, 3]);
        var ids = b.AddInput("ids", OnnxElementType.Int64, [Batch, 3]);
        var pixels = b.AddInput("pixels", OnnxElementType.Uint8, [Batch, 3]);
        var toFloat = OnnxAttribute.Int("to", (long)OnnxElementType.Float);
        var a = b.AddNode("Cast", [half], "half_f", toFloat);
        var c = b.AddNode("Cast", [ids], "ids_f", toFloat);
        var d = b.AddNode("Cast", [pixels], "pixels_f", toFloat);
        var sum = b.AddNode("Add", [b.AddNode("Add", [a, c], "ac"), d], "sum");
        b.AddOutput(sum, OnnxElementType.Float, [Batch, 3]);
        var two = b.AddNode("Cast", [b.AddInitializer("two", [2f])], "two_h", OnnxAttribute.Int("to", (long)OnnxElementType.Float16));
        b.AddOutput(b.AddNode("Mul", [half, two], "half_out"), OnnxElementType.Float16, [Batch, 3]);
        b.AddOutput(b.AddNode("Greater", [a, b.AddInitializer("zero", [0f])], "positive"), OnnxElementType.Bool, [Batch, 3]);
        return b.ToBytes();
    }

    /// <summary>x [1, w] tiled <paramref name="times"/> along the second axis: a small input with a large output.</summary>
    private static byte[] Tiled(int times)
    {
        var b = new OnnxGraphBuilder("tiled");
        var x = b.AddInput("x", OnnxElementType.Float, [1, OnnxDimension.Symbolic("w")]);
        var repeats = b.AddInitializer("repeats", [1L, times], 2);
        b.AddOutput(b.AddNode("Tile", [x, repeats], "y"), OnnxElementType.Float, [1, OnnxDimension.Unknown]);
        return b.ToBytes();
    }
}
