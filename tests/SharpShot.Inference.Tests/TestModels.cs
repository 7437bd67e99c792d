using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>Small models built with <see cref="OnnxGraphBuilder"/> whose outputs <see cref="Reference"/> computes by hand.</summary>
internal static class TestModels
{
    public const int DenseInputs = 4;
    public const int DenseOutputs = 3;

    /// <summary>Weights of the dense models, [outputs, inputs] row-major.</summary>
    public static readonly float[] DenseWeight = Reference.Random(DenseOutputs * DenseInputs, seed: 7);

    public static readonly float[] DenseBias = [0.5f, -0.25f, 0.125f];

    public const int ConvChannelsIn = 2;
    public const int ConvSize = 5;
    public const int ConvChannelsOut = 3;
    public const int ConvKernel = 3;
    public const int ConvPad = 1;

    public static readonly float[] ConvWeight = Reference.Random(ConvChannelsOut * ConvChannelsIn * ConvKernel * ConvKernel, seed: 11);

    public static readonly float[] ConvBias = [0.1f, -0.2f, 0.05f];

    public static readonly string[] Labels = ["cat", "dog", "bird"];

    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("N");

    /// <summary>Gemm: [N, 4] → [N, 3] logits.</summary>
    public static byte[] Dense(int opset = OnnxGraphBuilder.DefaultOpset) => DenseBuilder(opset, softmax: false).ToBytes();

    /// <summary>Gemm then Softmax, with SharpShot metadata: class labels, "probabilities", input shape.</summary>
    public static byte[] DenseSoftmax()
    {
        var b = DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: true);
        b.SetMetadata(SharpShotMetadata.ClassLabels, "[\"cat\",\"dog\",\"bird\"]");
        b.SetMetadata(SharpShotMetadata.Output, "probabilities");
        b.SetMetadata(SharpShotMetadata.InputShape, "4");
        b.SetMetadata(SharpShotMetadata.ModelName, "Tests.DenseSoftmax");
        return b.ToBytes();
    }

    /// <summary>Conv(2 → 3 channels, 3x3, pad 1) → Relu → Reshape to [N, 75], for [N, 2, 5, 5] input.</summary>
    public static byte[] Conv()
    {
        var b = new OnnxGraphBuilder("conv");
        var x = b.AddInput("image", OnnxElementType.Float, [Batch, ConvChannelsIn, ConvSize, ConvSize]);
        var w = b.AddInitializer("conv.weight", ConvWeight, ConvChannelsOut, ConvChannelsIn, ConvKernel, ConvKernel);
        var bias = b.AddInitializer("conv.bias", ConvBias, ConvChannelsOut);
        var conv = b.AddNode("Conv", [x, w, bias], "conv",
            OnnxAttribute.Ints("kernel_shape", ConvKernel, ConvKernel), OnnxAttribute.Ints("pads", ConvPad, ConvPad, ConvPad, ConvPad));
        var relu = b.AddNode("Relu", [conv], "relu");
        var shape = b.AddInitializer("flatten.shape", [0L, -1L], 2);
        var flat = b.AddNode("Reshape", [relu, shape], "features");
        b.AddOutput(flat, OnnxElementType.Float, [Batch, ConvChannelsOut * ConvSize * ConvSize]);
        return b.ToBytes();
    }

    /// <summary>y = 2x + 1 over [N, "width"]: every axis after the batch is symbolic, input and output.</summary>
    public static byte[] OpenWidth(string? inputShapeMetadata)
    {
        var b = new OnnxGraphBuilder("open_width");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, OnnxDimension.Symbolic("width")]);
        var two = b.AddInitializer("two", [2f]);
        var one = b.AddInitializer("one", [1f]);
        var doubled = b.AddNode("Mul", [x, two], "doubled");
        var y = b.AddNode("Add", [doubled, one], "y");
        b.AddOutput(y, OnnxElementType.Float, [Batch, OnnxDimension.Symbolic("width")]);
        if (inputShapeMetadata is not null)
        {
            b.SetMetadata(SharpShotMetadata.InputShape, inputShapeMetadata);
        }
        return b.ToBytes();
    }

    /// <summary>Identity over [batch, 4] with the batch axis fixed.</summary>
    public static byte[] FixedBatch(int batch)
    {
        var b = new OnnxGraphBuilder("fixed_batch");
        var x = b.AddInput("x", OnnxElementType.Float, [batch, 4]);
        var y = b.AddNode("Relu", [x], "y");
        b.AddOutput(y, OnnxElementType.Float, [batch, 4]);
        return b.ToBytes();
    }

    /// <summary>A wide identity-like model, [N, width] → [N, width], to exercise large outputs.</summary>
    public static byte[] Wide(int width)
    {
        var b = new OnnxGraphBuilder("wide");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, width]);
        var y = b.AddNode("Neg", [x], "y");
        b.AddOutput(y, OnnxElementType.Float, [Batch, width]);
        return b.ToBytes();
    }

    /// <summary>Dense model with extra metadata entries set by the caller.</summary>
    public static byte[] DenseWithMetadata(params (string Key, string Value)[] metadata)
    {
        var b = DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: false);
        foreach (var (key, value) in metadata)
        {
            b.SetMetadata(key, value);
        }
        return b.ToBytes();
    }

    public static byte[] TwoInputs()
    {
        var b = new OnnxGraphBuilder("two_inputs");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 4]);
        var z = b.AddInput("z", OnnxElementType.Float, [Batch, 4]);
        b.AddOutput(b.AddNode("Add", [x, z], "y"), OnnxElementType.Float, [Batch, 4]);
        return b.ToBytes();
    }

    public static byte[] TwoOutputs()
    {
        var b = new OnnxGraphBuilder("two_outputs");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 4]);
        b.AddOutput(b.AddNode("Relu", [x], "a"), OnnxElementType.Float, [Batch, 4]);
        b.AddOutput(b.AddNode("Neg", [x], "b"), OnnxElementType.Float, [Batch, 4]);
        return b.ToBytes();
    }

    public static byte[] Int64Input()
    {
        var b = new OnnxGraphBuilder("int_input");
        var x = b.AddInput("ids", OnnxElementType.Int64, [Batch, 4]);
        var y = b.AddNode("Cast", [x], "y", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        b.AddOutput(y, OnnxElementType.Float, [Batch, 4]);
        return b.ToBytes();
    }

    public static byte[] ScalarInput()
    {
        var b = new OnnxGraphBuilder("scalar_input");
        var x = b.AddInput("x", OnnxElementType.Float, []);
        b.AddOutput(b.AddNode("Relu", [x], "y"), OnnxElementType.Float, []);
        return b.ToBytes();
    }

    /// <summary>A well-formed ONNX file that ONNX Runtime cannot run: its operator does not exist.</summary>
    public static byte[] UnknownOperator()
    {
        var b = new OnnxGraphBuilder("unknown_op");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 4]);
        b.AddOutput(b.AddNode("DefinitelyNotAnOnnxOperator", [x], "y"), OnnxElementType.Float, [Batch, 4]);
        return b.ToBytes();
    }

    /// <summary>Expected Dense output for one sample.</summary>
    public static float[] ExpectedDense(ReadOnlySpan<float> sample) => Reference.Dense(sample, DenseWeight, DenseBias);

    /// <summary>Expected Conv output for one sample.</summary>
    public static float[] ExpectedConv(ReadOnlySpan<float> sample) =>
        Reference.ConvRelu(sample, ConvChannelsIn, ConvSize, ConvWeight, ConvBias, ConvKernel, ConvPad);

    /// <summary>The dense model; with <paramref name="externalWeight"/>, its weight matrix is declared to lie in that external file (which the caller writes).</summary>
    public static OnnxGraphBuilder DenseBuilder(int opset, bool softmax, OnnxExternalData? externalWeight = null)
    {
        var b = new OnnxGraphBuilder("dense", opset);
        var x = b.AddInput("features", OnnxElementType.Float, [Batch, DenseInputs]);
        var w = externalWeight is null
            ? b.AddInitializer("dense.weight", DenseWeight, DenseOutputs, DenseInputs)
            : b.AddExternalInitializer("dense.weight", OnnxElementType.Float, externalWeight, DenseOutputs, DenseInputs);
        var bias = b.AddInitializer("dense.bias", DenseBias, DenseOutputs);
        var y = b.AddNode("Gemm", [x, w, bias], "logits", OnnxAttribute.Int("transB", 1));
        if (softmax)
        {
            y = b.AddNode("Softmax", [y], "probabilities", OnnxAttribute.Int("axis", 1));
        }
        b.AddOutput(y, OnnxElementType.Float, [Batch, DenseOutputs]);
        return b;
    }
}
