using SharpShot.Inference;
using SharpShot.Layers;
using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// Checks one layer's faces against each other: ONNX Runtime on the exported layer vs the module
/// forward (max |diff| ≤ 1e-5), and the functional forward on the layer's own parameters vs the module.
/// </summary>
internal static class LayerParity
{
    public const double Tolerance = 1e-5;

    /// <summary>Exports <paramref name="layer"/> alone (batch symbolic) and returns the largest |TorchSharp − ONNX Runtime| on <paramref name="input"/>.</summary>
    public static double MaxOnnxDifference(Layer layer, Tensor input, int opset = OnnxGraphBuilder.DefaultOpset)
    {
        using var scope = NewDisposeScope();
        layer.eval();
        Tensor expected;
        using (no_grad())
        {
            expected = layer.forward(input).contiguous();
        }

        var graph = new OnnxGraphBuilder("layer", opset);
        OnnxDimension batch = OnnxDimension.Symbolic("batch");
        string x = graph.AddInput("input", OnnxElementType.Float, [batch, .. input.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);
        string y;
        using (no_grad())
        {
            y = layer.EmitOnnx(new OnnxEmitContext(graph, layer.OwnParameters, training: false), x);
        }

        string output = graph.AddNode("Identity", [y], "output");
        graph.AddOutput(output, OnnxElementType.Float, [batch, .. expected.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);

        using var onnx = OnnxModel.Load(graph.ToBytes());
        float[] actual = onnx.PredictBatch(input.contiguous().data<float>().ToArray(), (int)input.shape[0]);
        float[] wanted = expected.data<float>().ToArray();
        if (actual.Length != wanted.Length)
        {
            throw new InvalidOperationException($"ONNX Runtime returned {actual.Length} values, TorchSharp {wanted.Length}.");
        }

        return wanted.Zip(actual, (a, b) => (double)Math.Abs(a - b)).DefaultIfEmpty(0).Max();
    }

    /// <summary>The largest |module forward − functional forward over the layer's own parameters| in the given mode.</summary>
    public static double MaxFunctionalDifference(Layer layer, Tensor input, bool training)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            if (training)
            {
                layer.train();
            }
            else
            {
                layer.eval();
            }

            manual_seed(1);
            Tensor module = layer.forward(input);
            manual_seed(1);
            var cursor = new ParameterCursor(layer.OwnParameters.Select(p => (Tensor)p).ToArray());
            Tensor functional = layer.Forward(input, cursor, training);
            cursor.EnsureConsumed();
            return module.sub(functional).abs().max().item<float>();
        }
    }

    /// <summary>Random values in [-2, 2) of the given shape, seeded.</summary>
    public static Tensor RandomInput(int seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return rand(shape, generator: generator).mul_(4).sub_(2);
    }
}
