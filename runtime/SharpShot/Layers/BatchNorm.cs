using SharpShot.Native;
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
        if (BatchStatistics.Active is { } active && training)
        {
            if (!active.Recording && active.Statistics.TryGet(this, out var given))
            {
                // The statistics of another set (a task's support set) normalize this one: no batch statistics.
                return nn.functional.batch_norm(x, given.Mean, given.Variance, gamma, beta, false, Momentum, Epsilon);
            }

            if (active.Recording)
            {
                long[] axes = [0, .. Enumerable.Range(2, (int)x.dim() - 2).Select(a => (long)a)];
                using (no_grad())
                {
                    active.Statistics.Set(this, x.mean(axes), x.var(axes, unbiased: false));
                }
            }
        }

        if (training)
        {
            using (no_grad())
            {
                num_batches_tracked.add_(Scalars.One, Scalars.One);
            }
        }

        return nn.functional.batch_norm(x, running_mean, running_var, gamma, beta, training, Momentum, Epsilon);
    }

    /// <inheritdoc />
    /// <remarks>
    /// In <see cref="OnnxEmitContext.Training"/> mode the graph normalizes by the statistics of each batch it is given, as
    /// the layer computes in training mode (what a MAML-family learner, which adapts and predicts with batch statistics,
    /// needs); otherwise by the running statistics. Only γ and β come from the context's weights: the running statistics
    /// are the layer's buffers.
    /// </remarks>
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        (Tensor Mean, Tensor Variance) given = default;
        bool fromAnotherSet = context.Statistics?.TryGet(this, out given) == true;
        if (context.Training && !fromAnotherSet)
        {
            return EmitBatchStatistics(context, input);
        }

        // Running statistics, or those recorded on another set (a task's support set), as constants.
        string name = GetName();
        string scale = AddWeight(context, "weight", weight);
        string shift = AddWeight(context, "bias", bias);
        string mean = context.AddInitializer($"{name}.{(fromAnotherSet ? "support_mean" : "running_mean")}", fromAnotherSet ? given.Mean! : running_mean);
        string variance = context.AddInitializer($"{name}.{(fromAnotherSet ? "support_var" : "running_var")}", fromAnotherSet ? given.Variance! : running_var);
        return context.Graph.AddNode("BatchNormalization", [input, scale, shift, mean, variance], PathIn(context),
            OnnxAttribute.Float("epsilon", (float)Epsilon));
    }

    /// <summary>
    /// Batch normalization by the batch's own mean and biased variance, for inputs of any rank: the input is viewed as
    /// (N, C, rest), reduced over N and rest, and given its shape back. ReduceMean takes its axes as an input from
    /// opset 18 and as an attribute before.
    /// </summary>
    private string EmitBatchStatistics(OnnxEmitContext context, string input)
    {
        OnnxGraphBuilder graph = context.Graph;
        string name = PathIn(context);
        long features = weight.shape[0];
        string scale = graph.AddInitializer($"{name}.weight", OnnxEmitContext.FloatValues(Take(context.Weights, "weight", weight)), features, 1);
        string shift = graph.AddInitializer($"{name}.bias", OnnxEmitContext.FloatValues(Take(context.Weights, "bias", bias)), features, 1);
        string epsilon = graph.AddInitializer($"{name}.epsilon", [(float)Epsilon]);
        string shape = graph.AddNode("Shape", [input], $"{name}_shape");
        string grouped = graph.AddNode("Reshape", [input, graph.AddInitializer($"{name}.grouped_shape", [0L, 0L, -1L], 3)], $"{name}_grouped");
        string mean = ReduceMean(graph, grouped, $"{name}_mean");
        string centered = graph.AddNode("Sub", [grouped, mean], $"{name}_centered");
        string variance = ReduceMean(graph, graph.AddNode("Mul", [centered, centered], $"{name}_squared"), $"{name}_variance");
        string std = graph.AddNode("Sqrt", [graph.AddNode("Add", [variance, epsilon], $"{name}_variance_eps")], $"{name}_std");
        string normalized = graph.AddNode("Div", [centered, std], $"{name}_normalized");
        string affine = graph.AddNode("Add", [graph.AddNode("Mul", [normalized, scale], $"{name}_scaled"), shift], $"{name}_affine");
        return graph.AddNode("Reshape", [affine, shape], name);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The forward is ONNX's BatchNormalization operator (inference form) fed with the statistics that apply — the batch's
    /// mean and biased variance (or those of its first rows: a support set's, normalizing its queries), or the running ones —
    /// one fused operator instead of an element-wise chain.
    /// Backward, on the input viewed as (N, C, L) with x̂ = (x − μ)/σ, a = γ/σ and M = N·L: ∂γ = Σ ∂y·x̂ = Σ ∂y·(x − μ) / σ,
    /// ∂β = Σ ∂y (over N and L); with batch statistics ∂x = a·∂y − (a·∂β/M) − (a·∂γ/M)·x̂ — the two means of the textbook
    /// form are the weight gradients' sums again, and the last two terms are one more BatchNormalization of x (scale
    /// −a·∂γ/M, shift −a·∂β/M); with fixed statistics ∂x = a·∂y.
    /// </remarks>
    public override DifferentiableOutput EmitDifferentiable(DifferentiableEmitContext context, string input)
    {
        var (gi, gamma) = TakeWeight(context, "weight", weight);
        var (bi, beta) = TakeWeight(context, "bias", bias);
        string name = GetName();
        // Made on first use: a forward-only emission needs neither the backward's constants nor, with fixed statistics, this shape.
        string? flatShape = null;
        string Flat(string hint, string value) => context.Node("Reshape", hint, [value, flatShape ??= context.Longs($"{name}_flat", -1)]);
        string grouped = context.Node("Reshape", $"{name}_grouped", [input, context.Longs($"{name}_grouped_shape", 0, 0, -1)]);
        string mean, variance;
        string? centered = null, inverseCount = null;
        bool batchStatistics = false;
        if (context.Training)
        {
            // The statistics' rows: the whole batch, or its first rows (a task's support set, normalizing its queries too).
            string sample = context.StatisticsRows is { } rows
                ? context.Node("Slice", $"{name}_statistics_rows", [grouped, context.Longs($"{name}_statistics_start", 0), rows, context.Longs($"{name}_statistics_axis", 0)])
                : grouped;

            // M = N·L is the same for every channel: the variance's sum of squares and the backward's means divide by it.
            inverseCount = context.Node("Div", $"{name}_inverse_count", [context.Constant($"{name}_features", (float)weight.shape[0]), context.ShapeProduct($"{name}_size", sample, 0, long.MaxValue)]);
            string meanColumn = context.ReduceMean($"{name}_mean", sample, 0, 2);
            centered = context.Node("Sub", $"{name}_centered", [sample, meanColumn]);
            string squares = context.Node("ReduceSumSquare", $"{name}_squares", context.Graph.Opset >= 18 ? [centered, context.Longs($"{name}_squares_axes", 0, 2)] : [centered],
                context.Graph.Opset >= 18 ? [OnnxAttribute.Int("keepdims", 0)] : [OnnxAttribute.Ints("axes", 0, 2), OnnxAttribute.Int("keepdims", 0)]);
            mean = Flat($"{name}_mean_flat", meanColumn);
            variance = context.Node("Mul", $"{name}_variance", [squares, inverseCount]);
            batchStatistics = true;
        }
        else
        {
            mean = context.Graph.AddInitializer(context.Name($"{name}.running_mean"), OnnxEmitContext.FloatValues(running_mean), weight.shape[0]);
            variance = context.Graph.AddInitializer(context.Name($"{name}.running_var"), OnnxEmitContext.FloatValues(running_var), weight.shape[0]);
        }

        OnnxAttribute epsilonAttribute = OnnxAttribute.Float("epsilon", (float)Epsilon);
        string output = context.Node("BatchNormalization", name, [input, gamma, beta, mean, variance], epsilonAttribute);
        return new DifferentiableOutput(output, (gradient, needed) =>
        {
            string column = context.Longs($"{name}_column", -1, 1);
            string Column(string hint, string value) => context.Node("Reshape", hint, [value, column]);
            string variancePlusEpsilon = context.Node("Add", $"{name}_grad_variance_eps", [variance, context.Constant($"{name}_epsilon", (float)Epsilon)]);
            string inverseStd = Column($"{name}_grad_inverse_std", context.Node("Reciprocal", $"{name}_grad_inverse_std_flat", [context.Node("Sqrt", $"{name}_grad_std", [variancePlusEpsilon])]));
            centered ??= context.Node("Sub", $"{name}_grad_centered", [grouped, Column($"{name}_grad_mean", mean)]);
            string g = context.Node("Reshape", $"{name}_grad_grouped", [gradient, context.Longs($"{name}_grad_grouped_shape", 0, 0, -1)]);
            string sumCentered = context.ReduceSum($"{name}_grad_sum_centered", context.Node("Mul", $"{name}_grad_times_centered", [g, centered]), keepDims: true, 0, 2);
            string gammaGradient = context.Node("Mul", $"{name}_grad_weight_column", [sumCentered, inverseStd]);
            string betaGradient = context.ReduceSum($"{name}_grad_bias_column", g, keepDims: true, 0, 2);
            context.AddGradient(gi, Flat($"{name}_grad_weight", gammaGradient));
            context.AddGradient(bi, Flat($"{name}_grad_bias", betaGradient));
            if (!needed)
            {
                return null;
            }

            string slope = context.Node("Mul", $"{name}_grad_slope", [Column($"{name}_grad_gamma", gamma), inverseStd]);
            string scaled = context.Node("Mul", $"{name}_grad_scaled", [g, slope]);
            if (batchStatistics)
            {
                string perSample = context.Node("Mul", $"{name}_grad_per_sample", [slope, inverseCount!]);
                string Negated(string hint, string value) => Flat(hint, context.Node("Neg", hint + "_column", [context.Node("Mul", hint + "_times", [value, perSample])]));
                string correction = context.Node("BatchNormalization", $"{name}_grad_correction",
                    [grouped, Negated($"{name}_grad_projection_scale", gammaGradient), Negated($"{name}_grad_mean_shift", betaGradient), mean, variance], epsilonAttribute);
                scaled = context.Node("Add", $"{name}_grad_corrected", [scaled, correction]);
            }

            return context.Node("Reshape", $"{name}_grad", [scaled, context.Node("Shape", $"{name}_shape", [input])]);
        });
    }

    /// <summary>Mean over axes 0 and 2 of an (N, C, L) value, keeping them.</summary>
    private static string ReduceMean(OnnxGraphBuilder graph, string input, string output) => graph.Opset >= 18
        ? graph.AddNode("ReduceMean", [input, graph.AddInitializer($"{output}_axes", [0L, 2L], 2)], output, OnnxAttribute.Int("keepdims", 1))
        : graph.AddNode("ReduceMean", [input], output, OnnxAttribute.Ints("axes", 0, 2), OnnxAttribute.Int("keepdims", 1));
}

/// <summary>
/// The batch statistics of one set per batch-norm layer: recorded while one set (a task's support set) runs through the
/// network in training mode, then used for another (its queries), so that each query is normalized by the support set's
/// statistics and its answer does not depend on the other queries (<see cref="QueryNormalization.SupportStatistics"/>).
/// Owns the recorded tensors.
/// </summary>
public sealed class BatchStatistics : IDisposable
{
    private static readonly AsyncLocal<(BatchStatistics Statistics, bool Recording)?> Current = new();
    private readonly Dictionary<BatchNormLayer, (Tensor Mean, Tensor Variance)> _byLayer = [];

    /// <summary>Number of layers recorded.</summary>
    public int Count => _byLayer.Count;

    internal static (BatchStatistics Statistics, bool Recording)? Active => Current.Value;

    /// <summary>Until disposed, batch-norm layers running in training mode on this thread (and its awaits) record their batch's mean and biased variance here.</summary>
    public IDisposable Record() => Enter(recording: true);

    /// <summary>Until disposed, batch-norm layers running in training mode normalize with the statistics recorded here instead of their batch's.</summary>
    public IDisposable Apply() => Enter(recording: false);

    /// <summary>The recorded mean and biased variance of <paramref name="layer"/>.</summary>
    public bool TryGet(BatchNormLayer layer, out (Tensor Mean, Tensor Variance) statistics) => _byLayer.TryGetValue(layer, out statistics);

    internal void Set(BatchNormLayer layer, Tensor mean, Tensor variance)
    {
        if (_byLayer.Remove(layer, out var earlier))
        {
            earlier.Mean.Dispose();
            earlier.Variance.Dispose();
        }

        _byLayer[layer] = (mean.detach().clone().DetachFromDisposeScope(), variance.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Releases the recorded tensors.</summary>
    public void Dispose()
    {
        foreach (var (mean, variance) in _byLayer.Values)
        {
            mean.Dispose();
            variance.Dispose();
        }

        _byLayer.Clear();
    }

    private Scope Enter(bool recording)
    {
        var scope = new Scope(Current.Value);
        Current.Value = (this, recording);
        return scope;
    }

    private sealed class Scope((BatchStatistics, bool)? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
