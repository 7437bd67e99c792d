using SharpShot.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// One meta-learning algorithm, as <see cref="MetaLearner"/>'s shared loops drive it: what it trains (its
/// meta-parameters and the settings that identify a run), the loss of one task and how that loss becomes the task's
/// share of the meta-gradient, how it adapts to and evaluates on a task, and what its exported graph computes. One
/// subclass per algorithm, in a file of its own (learn2learn's layout), registered in <see cref="Create"/>; what each
/// can do besides is a row of <see cref="MetaAlgorithmTraits"/>.
/// </summary>
internal abstract class MetaLearningAlgorithm : IDisposable
{
    /// <summary>Sets up the algorithm for <paramref name="model"/> and already validated <paramref name="options"/>.</summary>
    protected MetaLearningAlgorithm(SequentialModel model, MetaLearnerOptions options)
    {
        Model = model;
        Options = options;
    }

    /// <summary>The network being meta-trained.</summary>
    public SequentialModel Model { get; }

    /// <summary>The settings.</summary>
    public MetaLearnerOptions Options { get; }

    /// <summary>
    /// Every meta-parameter (the model's and any of the algorithm's own) in one module: what the outer optimizer updates
    /// and a checkpoint saves.
    /// </summary>
    public abstract nn.Module State { get; }

    /// <summary>The algorithm's settings as text: part of a checkpoint's identity, so that a run resumes only with the same ones.</summary>
    public abstract string Settings { get; }

    /// <summary>Meta-SGD's learned inner learning rates; empty for the others.</summary>
    public virtual IReadOnlyList<Tensor> InnerLearningRates => [];

    /// <summary>
    /// True when the exported graph normalizes with the statistics of each batch it is given: what the MAML family's
    /// adaptation and predictions use. False: running statistics, the module in eval mode.
    /// </summary>
    public bool ExportsBatchStatistics => Options.Traits.AdaptsWeights;

    /// <summary>Creates the algorithm <paramref name="options"/> name: the one place that maps a <see cref="MetaAlgorithm"/> to its class.</summary>
    public static MetaLearningAlgorithm Create(SequentialModel model, MetaLearnerOptions options) => options.Algorithm switch
    {
        MetaAlgorithm.ProtoNet => new PrototypicalNetworks(model, options),
        MetaAlgorithm.Maml => new Maml(model, options, secondOrder: true),
        MetaAlgorithm.FoMaml => new Maml(model, options, secondOrder: false),
        MetaAlgorithm.Reptile => new Reptile(model, options),
        MetaAlgorithm.Anil => new Anil(model, options),
        MetaAlgorithm.MetaSgd => new MetaSgd(model, options),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Algorithm, "Not a known meta-learning algorithm."),
    };

    /// <summary>
    /// One task's query loss during meta-training, with the graph its meta-gradient needs, and the query outputs
    /// (for the reported accuracy). Runs inside the caller's dispose scope.
    /// </summary>
    public abstract TaskLoss TrainingLoss(TaskTensors task);

    /// <summary>
    /// Adds this task's share of the meta-gradient to the meta-parameters' gradients: by default the gradient of its
    /// loss divided by <paramref name="tasks"/>, the size of the meta-batch, so that the batch's gradients average.
    /// </summary>
    public virtual void Backward(TaskLoss loss, int tasks) => loss.Loss.DividedBy(tasks).backward();

    /// <summary>The query loss and outputs after adapting to the task's support set with <paramref name="innerSteps"/> steps; the model is not changed.</summary>
    public abstract (double Loss, Tensor Output) Evaluate(TaskTensors task, int innerSteps);

    /// <summary>
    /// Sets the module up for a run of evaluations and returns what restores it afterwards: the shared evaluation loop
    /// holds it around all episodes. Nothing by default.
    /// </summary>
    public virtual IDisposable BeginEvaluation() => NoChange.Instance;

    /// <summary>
    /// The weights adapted to a support set with <paramref name="steps"/> inner steps from the meta-trained ones, in
    /// <see cref="SequentialModel.ParameterDescriptors"/> order; inside the caller's dispose scope.
    /// </summary>
    /// <exception cref="InvalidOperationException">The algorithm adapts something other than weights.</exception>
    public abstract Tensor[] Adapt(Tensor supportX, Tensor supportY, int steps);

    /// <summary>Releases what the algorithm allocated (not the model).</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>The task loss: cross-entropy on logits for classification, mean squared error for regression.</summary>
    protected Tensor Loss(Tensor output, Tensor target) => Options.Task == MetaTaskKind.Classification
        ? nn.functional.cross_entropy(output, target)
        : nn.functional.mse_loss(output, target);

    private sealed class NoChange : IDisposable
    {
        public static readonly NoChange Instance = new();

        public void Dispose()
        {
        }
    }
}

/// <summary>One task's loss in meta-training.</summary>
/// <param name="Loss">The query loss (a scalar), reported and checked for divergence.</param>
/// <param name="Output">The query outputs the loss was computed on.</param>
/// <param name="Adapted">The adapted weights, for algorithms whose meta-update uses them (Reptile); null otherwise.</param>
internal sealed record TaskLoss(Tensor Loss, Tensor Output, IReadOnlyList<Tensor>? Adapted = null);
