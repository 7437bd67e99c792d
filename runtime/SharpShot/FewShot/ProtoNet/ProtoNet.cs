using SharpShot.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// The arithmetic of Prototypical Networks (Snell, Swersky and Zemel, 2017): a query's logits are its negative squared
/// Euclidean distances to the class prototypes, the mean embeddings of each class's support samples. Meta-train and
/// evaluate an embedding with <see cref="MetaLearner"/> and <see cref="MetaAlgorithm.ProtoNet"/>; deploy it with
/// <c>FewShotClassifier</c>. The embedding of a sample is the model's <c>forward</c> output, flattened.
/// </summary>
public static class ProtoNet
{
    /// <summary>
    /// The logits of an episode's queries, shape (queries, ways): one forward pass of <paramref name="embedding"/>
    /// over the support and query samples together, in the model's current mode (train or eval), then
    /// <see cref="PrototypeLogits"/>. Call inside a dispose scope; gradients flow unless under <c>no_grad</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The episode's sample shape does not fit the model.</exception>
    public static Tensor EpisodeLogits(SequentialModel embedding, Episode episode)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(episode);
        CheckShape(embedding, episode.SampleShape, nameof(episode));
        using var scope = NewDisposeScope();
        using TaskTensors task = TaskTensors.Of(episode, embedding.Device);
        return PrototypicalNetworks.QueryLogits(embedding, task).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Negative squared Euclidean distances from each query embedding to each class prototype, the mean of that
    /// class's support embeddings: logits of shape (queries, <paramref name="ways"/>) for cross-entropy.
    /// </summary>
    /// <param name="supportEmbeddings">Support embeddings, shape (support, dimensions).</param>
    /// <param name="supportLabels">Integer label of each support embedding, in <c>0 … ways − 1</c>, every class present.</param>
    /// <param name="queryEmbeddings">Query embeddings, shape (queries, dimensions).</param>
    /// <param name="ways">Number of classes.</param>
    /// <exception cref="ArgumentException">Shapes do not fit together, or a label is out of range or a class has no support sample.</exception>
    public static Tensor PrototypeLogits(Tensor supportEmbeddings, Tensor supportLabels, Tensor queryEmbeddings, int ways)
    {
        ArgumentNullException.ThrowIfNull(supportEmbeddings);
        ArgumentNullException.ThrowIfNull(supportLabels);
        ArgumentNullException.ThrowIfNull(queryEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ways);
        if (supportEmbeddings.dim() != 2 || queryEmbeddings.dim() != 2 || supportEmbeddings.shape[1] != queryEmbeddings.shape[1])
        {
            throw new ArgumentException(
                $"Support and query embeddings must be (samples, dimensions) with equal dimensions; got [{string.Join(", ", supportEmbeddings.shape)}] and [{string.Join(", ", queryEmbeddings.shape)}].");
        }

        if (supportLabels.dim() != 1 || supportLabels.shape[0] != supportEmbeddings.shape[0] || torch.is_floating_point(supportLabels) || torch.is_complex(supportLabels))
        {
            throw new ArgumentException(
                $"Support labels must be one integer per support embedding ({supportEmbeddings.shape[0]}); got {supportLabels.dtype} of shape [{string.Join(", ", supportLabels.shape)}].",
                nameof(supportLabels));
        }

        using var scope = NewDisposeScope();
        Tensor labels = supportLabels.to(ScalarType.Int64);
        long smallest = labels.min().item<long>();
        long largest = labels.max().item<long>();
        if (smallest < 0 || largest >= ways)
        {
            throw new ArgumentException($"Support labels must lie in 0 … {ways - 1}; they span {smallest} … {largest}.", nameof(supportLabels));
        }

        Tensor counts = labels.bincount(null, ways);
        long emptiest = counts.min().item<long>();
        if (emptiest == 0)
        {
            throw new ArgumentException($"Every one of the {ways} classes needs a support sample to have a prototype; class {counts.argmin().item<long>()} has none.", nameof(supportLabels));
        }

        return Logits(supportEmbeddings, labels, queryEmbeddings, ways).MoveToOuterDisposeScope();
    }

    /// <summary>The prototype logits, without argument checks.</summary>
    internal static Tensor Logits(Tensor support, Tensor supportLabels, Tensor query, int ways)
    {
        // Prototypes as one matrix product: (ways × support one-hot, rows normalized) · (support × dimensions).
        Tensor membership = nn.functional.one_hot(supportLabels, ways).t().to(support.dtype);
        Tensor prototypes = membership.matmul(support).div(membership.sum(1, keepdim: true));
        return DistanceLogits(query, prototypes);
    }

    /// <summary>Negative squared Euclidean distances from each query (rows) to each prototype (rows): (queries, prototypes).</summary>
    internal static Tensor DistanceLogits(Tensor query, Tensor prototypes)
    {
        Tensor difference = query.unsqueeze(1) - prototypes.unsqueeze(0);
        return difference.square().sum(2).neg();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming both shapes when samples of <paramref name="sampleShape"/> do not fit the model.</summary>
    internal static void CheckShape(SequentialModel embedding, IReadOnlyList<int> sampleShape, string parameterName)
    {
        if (!sampleShape.SequenceEqual(embedding.InputShape))
        {
            throw new ArgumentException(
                $"{embedding.GetType().Name} expects samples of shape [{string.Join(", ", embedding.InputShape)}]; the data has [{string.Join(", ", sampleShape)}].",
                parameterName);
        }
    }
}
