using SharpShot.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Base of SharpShot's layer modules. Each layer kind keeps its runtime faces together in one file:
/// the functional forward (explicit parameters, for MAML-style inner loops), the module forward (the
/// functional one over the layer's own parameters, so the two cannot drift apart) and the ONNX
/// emission. The shape rule lives in the generator, in the rule file of the same name.
/// </summary>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates a layer registered under <paramref name="name"/> (its field name in the model).</summary>
    protected Layer(string name) : base(name) => Native.TorchRuntime.EnsureConfigured();

    /// <summary>The layer's trainable parameters in the order <see cref="Forward"/> takes them from its cursor.</summary>
    public virtual IReadOnlyList<Parameter> OwnParameters => [];

    /// <summary>Runs the layer on its own parameters, in the module's training mode.</summary>
    public override Tensor forward(Tensor x) => Forward(x, new ParameterCursor(OwnParameters), training);

    /// <summary>
    /// Runs the layer with parameters taken from <paramref name="parameters"/> (in <see cref="OwnParameters"/>
    /// order) instead of its own: gradients then flow to whatever tensors the caller supplied.
    /// </summary>
    /// <param name="x">The input batch.</param>
    /// <param name="parameters">Supplies this layer's parameters, then the next layer's.</param>
    /// <param name="training">Training behaviour (dropout active, batch statistics) when true.</param>
    public abstract Tensor Forward(Tensor x, ParameterCursor parameters, bool training);

    /// <summary>
    /// Appends this layer's ONNX nodes (and its weights, as initializers) to <paramref name="graph"/>,
    /// reading from the value named <paramref name="input"/>; returns the name of the output value.
    /// </summary>
    public abstract string EmitOnnx(OnnxGraphBuilder graph, string input);

    /// <summary>Takes the next parameter from <paramref name="parameters"/>, checking it has <paramref name="own"/>'s shape.</summary>
    protected Tensor Take(ParameterCursor parameters, string name, Parameter own) => parameters.Next(GetName(), name, own.shape);

    /// <summary>The values of a parameter as a flat float array, row-major, copied to the CPU.</summary>
    protected static float[] ToArray(Tensor parameter)
    {
        using var scope = NewDisposeScope();
        return parameter.detach().cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>Adds a parameter's current values to <paramref name="graph"/> as an initializer named after this layer.</summary>
    protected string AddInitializer(OnnxGraphBuilder graph, string name, Tensor parameter) =>
        graph.AddInitializer($"{GetName()}.{name}", ToArray(parameter), parameter.shape);
}
