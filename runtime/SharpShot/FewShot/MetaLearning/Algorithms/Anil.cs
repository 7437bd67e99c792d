using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// ANIL (Raghu, Raghu, Bengio and Vinyals, 2020): MAML whose inner loop adapts only the head — the last top-level
/// layer with parameters, and whatever follows it — while the body, run once per set, is meta-trained by the outer
/// loop alone.
/// </summary>
internal sealed class Anil : InnerLoopAlgorithm
{
    private readonly Layer[] _body;
    private readonly Layer[] _head;
    private readonly int _headStart;
    private readonly int _headLayer;

    public Anil(SequentialModel model, MetaLearnerOptions options) : base(model, options)
    {
        IReadOnlyList<Layer> layers = model.LogitLayers;
        int headLayer = layers.Count - 1;
        while (layers[headLayer].parameters().Any() is false)
        {
            headLayer--;
        }

        _headLayer = headLayer;
        _body = layers.Take(headLayer).ToArray();
        _head = layers.Skip(headLayer).ToArray();
        _headStart = _body.Sum(layer => layer.parameters().Count());
    }

    /// <inheritdoc />
    public override int FirstAdaptedLayer => _headLayer;

    /// <inheritdoc />
    public override TaskLoss TrainingLoss(TaskTensors task)
    {
        Tensor supportFeatures = Body(task.SupportX, Weights);
        Tensor queryFeatures = Body(task.QueryX, Weights);
        return QueryLoss(
            InnerLoopSteps(Weights[_headStart..], Head, supportFeatures, task.SupportY, Options.InnerSteps, secondOrder: true),
            head => Head(queryFeatures, head),
            task.QueryY);
    }

    /// <inheritdoc />
    /// <remarks>The body's features once, without gradients; first-order steps on the head.</remarks>
    public override Tensor[] Adapt(Tensor supportX, Tensor supportY, int steps)
    {
        Tensor[] start = Weights.Select(w => w.detach().requires_grad_(true)).ToArray();
        Tensor features;
        using (no_grad())
        {
            features = Body(supportX, start);
        }

        Tensor[] head = InnerLoop(start[_headStart..], Head, features, supportY, steps, secondOrder: false);
        return [.. start[.._headStart], .. head];
    }

    /// <summary>The body's features: every top-level layer before the head, on the first weights of <paramref name="weights"/>.</summary>
    private Tensor Body(Tensor x, IReadOnlyList<Tensor> weights)
    {
        var cursor = new ParameterCursor(weights.Take(_headStart).ToArray());
        foreach (Layer layer in _body)
        {
            x = layer.Forward(x, cursor, training: true);
        }

        cursor.EnsureConsumed();
        return x;
    }

    /// <summary>The head on <paramref name="features"/> with <paramref name="headWeights"/>.</summary>
    private Tensor Head(Tensor features, IReadOnlyList<Tensor> headWeights)
    {
        var cursor = new ParameterCursor(headWeights);
        foreach (Layer layer in _head)
        {
            features = layer.Forward(features, cursor, training: true);
        }

        cursor.EnsureConsumed();
        return features;
    }
}
