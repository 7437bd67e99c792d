using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Prototypical Networks (Snell, Swersky and Zemel, 2017): the model is an embedding, meta-trained so that a query
/// lands nearest the mean embedding — the prototype — of its class's support samples (<see cref="ProtoNet.PrototypeLogits"/>).
/// One forward pass runs over an episode's support and query samples together, with batch normalization in training
/// mode during meta-training (as the paper's code does) and in eval mode, without gradients, for evaluation. It adapts
/// by prototypes, not weights: deploy it with <c>FewShotClassifier</c> over the exported embedding.
/// </summary>
internal sealed class PrototypicalNetworks(SequentialModel model, MetaLearnerOptions options) : MetaLearningAlgorithm(model, options)
{
    /// <inheritdoc />
    /// <remarks>The embedding alone: a checkpoint holds its state dict as it is.</remarks>
    public override nn.Module State => Model;

    /// <inheritdoc />
    public override string Settings => $"meta-batch {Options.EffectiveMetaBatch}";

    /// <inheritdoc />
    public override TaskLoss TrainingLoss(TaskTensors task)
    {
        Tensor logits = QueryLogits(Model, task);
        return new TaskLoss(Loss(logits, task.QueryY), logits);
    }

    /// <inheritdoc />
    /// <remarks>The support set is embedded, not trained on: <paramref name="innerSteps"/> does not apply.</remarks>
    public override (double Loss, Tensor Output) Evaluate(TaskTensors task, int innerSteps)
    {
        using (no_grad())
        {
            Tensor logits = QueryLogits(Model, task);
            return (Loss(logits, task.QueryY).item<float>(), logits);
        }
    }

    /// <inheritdoc />
    /// <remarks>Eval mode: batch normalization by its running statistics, dropout off; the previous mode comes back after.</remarks>
    public override IDisposable BeginEvaluation() => new ModeRestorer(Model);

    /// <inheritdoc />
    public override Tensor[] Adapt(Tensor supportX, Tensor supportY, int steps) =>
        throw new InvalidOperationException(
            "Prototypical Networks adapt by class prototypes, not weights: use FewShotClassifier over the exported embedding, or ProtoNet.PrototypeLogits.");

    /// <summary>The queries' prototype logits: one forward pass of <paramref name="embedding"/> over the support and query samples together, in the module's mode.</summary>
    internal static Tensor QueryLogits(SequentialModel embedding, TaskTensors task)
    {
        long support = task.SupportX.shape[0], queries = task.QueryX.shape[0];
        Tensor embeddings = embedding.forward(cat([task.SupportX, task.QueryX], 0)).reshape(support + queries, -1);
        return ProtoNet.Logits(embeddings.narrow(0, 0, support), task.SupportY, embeddings.narrow(0, support, queries), task.Ways);
    }

    /// <summary>Puts the module in eval mode and back into the mode it had.</summary>
    private sealed class ModeRestorer : IDisposable
    {
        private readonly nn.Module _module;
        private readonly bool _wasTraining;

        public ModeRestorer(nn.Module module)
        {
            _module = module;
            _wasTraining = module.training;
            module.eval();
        }

        public void Dispose() => _module.train(_wasTraining);
    }
}
