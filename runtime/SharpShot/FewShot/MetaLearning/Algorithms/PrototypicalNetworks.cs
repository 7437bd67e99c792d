using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SharpShot.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Prototypical Networks (Snell, Swersky and Zemel, 2017): the model is an embedding, meta-trained so that a query
/// lands nearest the mean embedding — the prototype — of its class's support samples (<see cref="ProtoNet.PrototypeLogits"/>).
/// One forward pass runs over an episode's support and query samples together, with batch normalization in training
/// mode during meta-training (as the paper's code does) and in eval mode, without gradients, for evaluation. It adapts
/// by prototypes, not weights: deploy it with <c>FewShotClassifier</c> over the exported embedding.
/// With an attribute map (zero-shot learning, the paper's §2.3): a class's description, an attribute vector, maps to a
/// prototype of its own, trained with the embedding: each episode adds the loss of every sample classified against its
/// classes' mapped descriptions, weighted by <see cref="MetaLearnerOptions.ZeroShotLossWeight"/>.
/// </summary>
internal sealed class PrototypicalNetworks : MetaLearningAlgorithm
{
    private readonly ZeroShotParts? _zeroShot;

    /// <summary>Sets up the algorithm; <paramref name="attributeMap"/> and <paramref name="attributes"/> (both or neither) add zero-shot learning.</summary>
    public PrototypicalNetworks(SequentialModel model, MetaLearnerOptions options, SequentialModel? attributeMap = null, ClassAttributes? attributes = null)
        : base(model, options)
    {
        if (attributeMap is not null && attributes is not null)
        {
            _zeroShot = new ZeroShotParts(model, attributeMap, attributes);
        }
    }

    /// <inheritdoc />
    /// <remarks>The embedding alone (a checkpoint holds its state dict as it is), or the embedding and the attribute map.</remarks>
    public override nn.Module State => _zeroShot is { } zeroShot ? zeroShot.State : Model;

    /// <inheritdoc />
    public override string Settings => $"meta-batch {Options.EffectiveMetaBatch}{_zeroShot?.Settings(Options)}";

    /// <summary>The attribute map of zero-shot learning; null without one.</summary>
    public SequentialModel? AttributeMap => _zeroShot?.Map;

    /// <summary>The class descriptions of zero-shot learning; null without them.</summary>
    public ClassAttributes? Attributes => _zeroShot?.Attributes;

    /// <inheritdoc />
    public override TaskLoss TrainingLoss(TaskTensors task)
    {
        if (_zeroShot is null)
        {
            Tensor logits = QueryLogits(Model, task);
            return new TaskLoss(Loss(logits, task.QueryY), logits);
        }

        // One forward pass over the episode; the few-shot loss on the queries, the zero-shot loss on every sample.
        long support = task.SupportX.shape[0], queries = task.QueryX.shape[0];
        Tensor embeddings = Model.forward(cat([task.SupportX, task.QueryX], 0)).reshape(support + queries, -1);
        Tensor fewShot = ProtoNet.Logits(embeddings.narrow(0, 0, support), task.SupportY, embeddings.narrow(0, support, queries), task.Ways);
        Tensor described = ProtoNet.DistanceLogits(embeddings, _zeroShot.Prototypes(task.ClassNames));
        Tensor loss = Loss(fewShot, task.QueryY).Plus(Loss(described, cat([task.SupportY, task.QueryY], 0)).Times(Options.ZeroShotLossWeight));
        return new TaskLoss(loss, fewShot);
    }

    /// <summary>
    /// The queries' logits against the prototypes their episode's class descriptions map to (no support sample used),
    /// without gradients, in the modules' current mode.
    /// </summary>
    public Tensor ZeroShotLogits(TaskTensors task)
    {
        ZeroShotParts zeroShot = _zeroShot ?? throw new InvalidOperationException(
            "This learner has no attribute map: create it with MetaLearner(embedding, attributeMap, attributes, options) for zero-shot learning.");
        using (no_grad())
        {
            Tensor queries = Model.forward(task.QueryX).reshape(task.QueryX.shape[0], -1);
            return ProtoNet.DistanceLogits(queries, zeroShot.Prototypes(task.ClassNames));
        }
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
    public override IDisposable BeginEvaluation() => new ModeRestorer(State);

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

    /// <summary>The attribute map, the descriptions, and one module holding the map and the embedding (the meta-parameters).</summary>
    private sealed class ZeroShotParts
    {
        public ZeroShotParts(SequentialModel embedding, SequentialModel map, ClassAttributes attributes)
        {
            Map = map;
            Attributes = attributes;
            State = new EmbeddingAndMap(embedding, map);
        }

        public SequentialModel Map { get; }

        public ClassAttributes Attributes { get; }

        public nn.Module State { get; }

        /// <summary>The mapped descriptions of <paramref name="classNames"/>: (classes, embedding length).</summary>
        public Tensor Prototypes(IReadOnlyList<string> classNames)
        {
            Tensor vectors = tensor(Attributes.Vectors(classNames), [classNames.Count, Attributes.Count], device: Map.Device);
            return Map.forward(vectors).reshape(classNames.Count, -1);
        }

        /// <summary>What identifies the zero-shot part of a run: the map, the loss weight and the descriptions (by hash).</summary>
        public string Settings(MetaLearnerOptions options)
        {
            string table = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Attributes.Fingerprint())))[..16];
            return string.Create(CultureInfo.InvariantCulture,
                $", zero-shot map {Map.GetType().Name} ({Map.ParameterCount} parameters), loss weight {options.ZeroShotLossWeight:R}, descriptions {table}");
        }
    }

    /// <summary>The embedding and the attribute map in one module, for the optimizer and checkpoints.</summary>
    private sealed class EmbeddingAndMap : nn.Module
    {
        public EmbeddingAndMap(SequentialModel embedding, SequentialModel map) : base("zero_shot")
        {
            register_module("model", embedding);
            register_module("attribute_map", map);
        }
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
