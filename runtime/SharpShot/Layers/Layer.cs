using SharpShot.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Base of SharpShot's layer modules. Each layer kind keeps its faces together in one file: the
/// TorchSharp forward and the ONNX emission (the shape rule lives in the generator, in the rule file
/// of the same name).
/// </summary>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates a layer registered under <paramref name="name"/> (its field name in the model).</summary>
    protected Layer(string name) : base(name)
    {
    }

    /// <summary>
    /// Appends this layer's ONNX nodes (and its weights, as initializers) to <paramref name="graph"/>,
    /// reading from the value named <paramref name="input"/>; returns the name of the output value.
    /// </summary>
    public abstract string EmitOnnx(OnnxGraphBuilder graph, string input);

    /// <summary>The values of a parameter as a flat float array, row-major, copied to the CPU.</summary>
    protected static float[] ToArray(Tensor parameter)
    {
        using var scope = NewDisposeScope();
        return parameter.detach().cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>The shape of a parameter as ONNX dimensions.</summary>
    protected static long[] Dims(Tensor parameter) => parameter.shape;
}
