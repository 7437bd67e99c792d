using SharpShot.Layers;
using SharpShot.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// What the MAML family shares: an inner loop of gradient steps on the support loss, run on the model's functional
/// forward (<see cref="SequentialModel.FunctionalLogits"/>) over a list of weight tensors — no module is cloned — and
/// evaluation by adapting first-order from the meta-trained weights, then predicting the queries with the adapted ones.
/// Batch normalization uses each set's batch statistics in meta-training and adaptation, as in the MAML paper; the
/// queries after adaptation are normalized as <see cref="MetaLearnerOptions.QueryNormalization"/> says (by default with the
/// support set's statistics, so that each query's answer is its own).
/// </summary>
internal abstract class InnerLoopAlgorithm : MetaLearningAlgorithm
{
    private readonly MetaParameters _state;

    /// <summary>Sets up the inner loop over every trainable weight of <paramref name="model"/>.</summary>
    /// <param name="model">The network.</param>
    /// <param name="options">Validated settings.</param>
    /// <param name="ownMetaParameters">Meta-parameters of the algorithm's own, by name, trained and checkpointed with the model's (Meta-SGD's rates).</param>
    protected InnerLoopAlgorithm(SequentialModel model, MetaLearnerOptions options, IReadOnlyList<(string Name, Parameter Value)>? ownMetaParameters = null)
        : base(model, options)
    {
        Weights = model.FunctionalParameters().ToArray();
        _state = new MetaParameters(model, ownMetaParameters ?? []);
    }

    /// <inheritdoc />
    public override nn.Module State => _state;

    /// <inheritdoc />
    public override string Settings => FormattableString.Invariant(
        $"{Options.Task}, meta-batch {Options.EffectiveMetaBatch}, inner steps {Options.InnerSteps}, inner lr {Options.InnerLearningRate}{MultiStepLossText}");

    /// <summary>The model's trainable parameters in <see cref="SequentialModel.ParameterDescriptors"/> order: the inner loop's start.</summary>
    protected Parameter[] Weights { get; }

    /// <inheritdoc />
    public override (double Loss, Tensor Output) Evaluate(TaskTensors task, int innerSteps)
    {
        Tensor[] adapted = Adapt(task.SupportX, task.SupportY, innerSteps);
        using (no_grad())
        {
            Tensor output = PredictQueries(task.SupportX, task.QueryX, adapted);
            return (Loss(output, task.QueryY).item<float>(), output);
        }
    }

    /// <summary>
    /// The queries' outputs with the adapted weights: batch norm by the support set's statistics (recorded on a forward
    /// pass of the support set with the adapted weights) or by the queries' own, as the options say.
    /// </summary>
    public Tensor PredictQueries(Tensor supportX, Tensor queryX, IReadOnlyList<Tensor> adapted)
    {
        if (Options.QueryNormalization == QueryNormalization.QueryBatch)
        {
            return Model.FunctionalLogits(queryX, adapted, training: true);
        }

        using BatchStatistics statistics = SupportStatistics(supportX, adapted);
        using (statistics.Apply())
        {
            return Model.FunctionalLogits(queryX, adapted, training: true);
        }
    }

    /// <summary>Every batch-norm layer's statistics on the support set with the adapted weights (the caller disposes them).</summary>
    public BatchStatistics SupportStatistics(Tensor supportX, IReadOnlyList<Tensor> adapted)
    {
        var statistics = new BatchStatistics();
        using (var scope = NewDisposeScope())
        using (no_grad())
        using (statistics.Record())
        {
            Model.FunctionalLogits(supportX, adapted, training: true);
        }

        return statistics;
    }

    /// <inheritdoc />
    /// <remarks>First-order steps from detached weights: evaluation needs no graph to the meta-parameters.</remarks>
    public override Tensor[] Adapt(Tensor supportX, Tensor supportY, int steps)
    {
        Tensor[] start = Weights.Select(w => w.detach().requires_grad_(true)).ToArray();
        return InnerLoop(start, Forward, supportX, supportY, steps, secondOrder: false);
    }

    /// <summary>
    /// The first of the model's top-level logit layers the inner loop adapts (ANIL: the head's); the layers before it run
    /// with their meta-trained weights. 0: every layer.
    /// </summary>
    public virtual int FirstAdaptedLayer => 0;

    /// <summary>The learning rate of each element of weight <paramref name="index"/> (Meta-SGD's learned rates); null: <see cref="MetaLearnerOptions.InnerLearningRate"/> for all.</summary>
    public virtual Tensor? LearningRateOf(int index) => null;

    /// <summary>The network on <paramref name="weights"/>, with batch statistics: the inner loop's and the queries' forward.</summary>
    protected Tensor Forward(Tensor x, IReadOnlyList<Tensor> weights) => Model.FunctionalLogits(x, weights, training: true);

    /// <summary>
    /// How far one inner step moves weight <paramref name="index"/> of the adapted list against its gradient: the inner
    /// learning rate times the gradient, unless the algorithm learns its rates.
    /// </summary>
    protected virtual Tensor InnerUpdate(int index, Tensor gradient) => gradient.Times(Options.InnerLearningRate);

    /// <summary><paramref name="steps"/> inner steps from <paramref name="start"/>; the last weights (<paramref name="start"/> when no step).</summary>
    protected Tensor[] InnerLoop(IReadOnlyList<Tensor> start, Func<Tensor, IReadOnlyList<Tensor>, Tensor> forward, Tensor supportX, Tensor supportY, int steps, bool secondOrder) =>
        InnerLoopSteps(start, forward, supportX, supportY, steps, secondOrder).LastOrDefault() ?? start.ToArray();

    /// <summary>
    /// The weights after each of <paramref name="steps"/> gradient steps on the support loss of <paramref name="forward"/>,
    /// from <paramref name="start"/>, computed as they are enumerated. With <paramref name="secondOrder"/> each update
    /// stays in the graph (MAML); otherwise its gradient is a constant (first order).
    /// </summary>
    protected IEnumerable<Tensor[]> InnerLoopSteps(
        IReadOnlyList<Tensor> start, Func<Tensor, IReadOnlyList<Tensor>, Tensor> forward, Tensor supportX, Tensor supportY, int steps, bool secondOrder)
    {
        Tensor[] fast = start.ToArray();
        for (int step = 0; step < steps; step++)
        {
            Tensor loss = Loss(forward(supportX, fast), supportY);

            // TorchSharp aborts natively when create_graph is set without retain_graph.
            IList<Tensor> gradients = autograd.grad([loss], fast, create_graph: secondOrder, retain_graph: secondOrder);
            for (int i = 0; i < fast.Length; i++)
            {
                Tensor gradient = secondOrder ? gradients[i] : gradients[i].detach();
                fast[i] = fast[i].sub(InnerUpdate(i, gradient));
            }

            yield return fast.ToArray();
        }
    }

    /// <summary>
    /// The task's query loss after the inner loop <paramref name="steps"/> — after its last step, or with
    /// <see cref="MetaLearnerOptions.MultiStepLoss"/> the (weighted) mean of those after every step — and the last outputs.
    /// </summary>
    protected TaskLoss QueryLoss(IEnumerable<Tensor[]> steps, Func<Tensor[], Tensor> forward, Tensor queryY)
    {
        Tensor[] outputs = (Options.MultiStepLoss ? steps : [steps.Last()]).Select(forward).ToArray();
        Tensor[] losses = outputs.Select(output => Loss(output, queryY)).ToArray();
        if (losses.Length == 1)
        {
            return new TaskLoss(losses[0], outputs[^1]);
        }

        IReadOnlyList<double> weights = Options.MultiStepLossWeights ?? Enumerable.Repeat(1.0, losses.Length).ToArray();
        double total = weights.Sum();
        Tensor loss = losses.Select((stepLoss, i) => stepLoss.Times(weights[i] / total)).Aggregate((sum, next) => sum.Plus(next));
        return new TaskLoss(loss, outputs[^1]);
    }

    /// <summary>How the query losses are combined, part of the checkpoint's identity: a resumed run must weigh them alike.</summary>
    private string MultiStepLossText => !Options.MultiStepLoss ? ""
        : Options.MultiStepLossWeights is { } weights
            ? $", multi-step loss weighted {string.Join("/", weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}"
            : ", multi-step loss";

    /// <summary>Every meta-parameter in one module: the model's and the algorithm's own, for the optimizer and checkpoints.</summary>
    private sealed class MetaParameters : nn.Module
    {
        public MetaParameters(SequentialModel model, IReadOnlyList<(string Name, Parameter Value)> own) : base("meta")
        {
            register_module("model", model);
            foreach ((string name, Parameter value) in own)
            {
                register_parameter(name, value);
            }
        }
    }
}
