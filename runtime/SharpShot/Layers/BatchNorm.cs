using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Batch normalization over the channel dimension 1 of (N, C), (N, C, L) or (N, C, H, W), with PyTorch's
/// semantics: in training, batch statistics normalize and the running statistics move towards them by
/// <see cref="Momentum"/> (the running variance with the unbiased batch variance); in eval, the running
/// statistics normalize. The running statistics are buffers, saved in the state dict.
/// </summary>
public sealed class BatchNormLayer : Layer
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;

    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0 and running variance 1.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="features">Number of channels C.</param>
    /// <param name="momentum">Weight of the new batch statistics in the running update (PyTorch's convention, e.g. 0.1).</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public BatchNormLayer(string name, int features, double momentum, double epsilon) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (momentum is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"{name}: momentum must be between 0 and 1 (the weight of the new batch).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        Momentum = momentum;
        Epsilon = epsilon;
        weight = new Parameter(LayerInit.Ones(features));
        bias = new Parameter(LayerInit.Zeros(features));
        running_mean = LayerInit.Zeros(features);
        running_var = LayerInit.Ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }

    /// <summary>Scale γ, shape (features).</summary>
    public Parameter Weight => weight;

    /// <summary>Shift β, shape (features).</summary>
    public Parameter Bias => bias;

    /// <summary>Running mean, shape (features): a buffer, not trained by gradients.</summary>
    public Tensor RunningMean => running_mean;

    /// <summary>Running (unbiased) variance, shape (features): a buffer, not trained by gradients.</summary>
    public Tensor RunningVar => running_var;

    /// <summary>Number of training-mode forward passes so far (an int64 scalar buffer, as in PyTorch).</summary>
    public Tensor NumBatchesTracked => num_batches_tracked;

    /// <summary>Weight of the new batch statistics in the running update.</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight, bias];

    /// <inheritdoc />
    /// <remarks>In training the running statistics of this layer are updated, whichever γ and β are supplied, as PyTorch does.</remarks>
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        Tensor gamma = Take(parameters, "weight", weight);
        Tensor beta = Take(parameters, "bias", bias);
        if (training)
        {
            using (no_grad())
            {
                num_batches_tracked.add_(1);
            }
        }

        return nn.functional.batch_norm(x, running_mean, running_var, gamma, beta, training, Momentum, Epsilon);
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxGraphBuilder graph, string input)
    {
        string scale = AddInitializer(graph, "weight", weight);
        string shift = AddInitializer(graph, "bias", bias);
        string mean = AddInitializer(graph, "running_mean", running_mean);
        string variance = AddInitializer(graph, "running_var", running_var);
        return graph.AddNode("BatchNormalization", [input, scale, shift, mean, variance], GetName(),
            OnnxAttribute.Float("epsilon", (float)Epsilon));
    }
}
