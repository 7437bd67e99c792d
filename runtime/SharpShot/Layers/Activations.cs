using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>max(x, 0).</summary>
public sealed class ReluLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public ReluLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.relu(x);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input) => graph.AddNode("Relu", [input], GetName());
}

/// <summary>Softmax over the last dimension.</summary>
public sealed class SoftmaxLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public SoftmaxLayer(string name) : base(name)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.softmax(x, -1);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input) =>
        graph.AddNode("Softmax", [input], GetName(), OnnxAttribute.Int("axis", -1));
}

/// <summary>Inverted dropout: active in training mode only; the identity in eval mode and in ONNX.</summary>
public sealed class DropoutLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public DropoutLayer(string name, double rate) : base(name) => Rate = rate;

    /// <summary>Probability of zeroing a value in training.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => nn.functional.dropout(x, Rate, training);

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input) => input;
}
