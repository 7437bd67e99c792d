using SharpShot.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Prototypical networks (Snell, Swersky and Zemel, 2017): an embedding is meta-trained so that a query
/// lands nearest the mean embedding — the prototype — of its class's support samples. Logits are negative
/// squared Euclidean distances to the prototypes; the loss is their cross-entropy. One forward pass runs
/// over an episode's support and query samples together, with batch normalization in training mode during
/// meta-training (as the paper's code does) and in eval mode for evaluation. The embedding of a sample is
/// the model's <c>forward</c> output, flattened.
/// </summary>
public static class ProtoNet
{
    /// <summary>
    /// Meta-trains <paramref name="embedding"/> on episodes drawn from <paramref name="train"/>: one Adam step per
    /// meta-batch of episodes (<see cref="MetaLearnerOptions.EffectiveMetaBatch"/>, one by default) on the mean query
    /// cross-entropy, validating on <see cref="MetaLearnerOptions.ValidationData"/> when given.
    /// Episodes are drawn ahead on a background task; every step runs in its own dispose scope.
    /// </summary>
    /// <param name="embedding">The embedding network; trained in place. Left in eval mode.</param>
    /// <param name="train">The training classes.</param>
    /// <param name="options">Episode shape, schedule, validation and checkpoint settings.</param>
    /// <param name="progress">Called every <see cref="MetaLearnerOptions.ProgressEvery"/> steps, after each validation and at the end.</param>
    /// <param name="cancellationToken">Stops training between two steps (after writing a checkpoint when one is configured).</param>
    /// <returns>How training went.</returns>
    /// <exception cref="ArgumentException">An option is invalid, the data's sample shape does not fit the model, or the data cannot supply such episodes.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite (reported as epoch 1, batch = the step number); no step is taken on it, so the parameters are those after the previous step (batch-norm running statistics have seen the bad batch).</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint file belongs to another run.</exception>
    public static MetaTrainingHistory MetaTrain(
        SequentialModel embedding,
        FewShotDataset train,
        MetaLearnerOptions options,
        Action<MetaTrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckShape(embedding, train, nameof(train));
        var sampler = new EpisodeSampler(train, options.Ways, options.Shots, options.Queries, options.Seed, options.Transform);
        EpisodeSampler? validationSampler = null;
        if (options.ValidationData is not null)
        {
            CheckShape(embedding, options.ValidationData, nameof(options.ValidationData));
            validationSampler = new EpisodeSampler(options.ValidationData, options.EffectiveValidationWays, options.EffectiveValidationShots,
                options.EffectiveValidationQueries, MetaTrainingLoop.ValidationSeed(options.Seed));
        }

        Device device = embedding.Device;
        int batch = options.EffectiveMetaBatch;
        using Adam optimizer = optim.Adam(embedding.parameters(), lr: options.LearningRate);
        var identity = new MetaCheckpointState("ProtoNet", embedding.GetType().FullName ?? embedding.GetType().Name, embedding.ParameterCount,
            train.Classes.Count, train.Classes.Sum(c => (long)c.Count), options.Ways, options.Shots, options.Queries, $"meta-batch {batch}",
            options.LearningRate, options.EffectiveLearningRateHalvingEvery, options.Seed, options.Transform?.ToString() ?? "none", 0, []);
        var schedule = new MetaSchedule(options.Steps, batch, options.LearningRateAt, options.Seed, options.ValidationEvery,
            options.CheckpointPath, options.CheckpointEvery, options.ProgressEvery);

        PrefetchingEpisodes? episodes = null;
        try
        {
            embedding.train();
            MetaTrainingHistory history = MetaTrainingLoop.Run(
                schedule,
                embedding,
                optimizer,
                identity,
                step =>
                {
                    episodes ??= new PrefetchingEpisodes(sampler, (step - 1L) * batch, options.PrefetchDepth, (options.Steps - step + 1L) * batch);
                    return TrainStep(embedding, optimizer, episodes, batch, device, step, cancellationToken);
                },
                validationSampler is null ? null : () =>
                {
                    FewShotEvaluation evaluation = Evaluate(embedding, validationSampler, options.ValidationEpisodes, options.PrefetchDepth);
                    embedding.train();
                    return evaluation;
                },
                progress,
                cancellationToken);
            return history;
        }
        finally
        {
            episodes?.Dispose();
            embedding.eval();
        }
    }

    /// <summary>
    /// Mean query accuracy of nearest-prototype classification over <paramref name="episodes"/> episodes drawn from
    /// <paramref name="test"/> (classes the embedding was not trained on), with a 95% confidence interval; in eval
    /// mode (the model is left in it), without gradients. The same seed gives the same episodes.
    /// </summary>
    /// <exception cref="ArgumentException">The data's sample shape does not fit the model, or the data cannot supply such episodes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range (ways ≥ 2, shots ≥ 1, queries ≥ 1, episodes ≥ 1).</exception>
    public static FewShotEvaluation Evaluate(SequentialModel embedding, FewShotDataset test, int ways, int shots, int queries, int episodes, int seed)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(ways, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(shots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        CheckShape(embedding, test, nameof(test));
        return Evaluate(embedding, new EpisodeSampler(test, ways, shots, queries, seed), episodes, depth: 4);
    }

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
        (Tensor logits, _) = Forward(embedding, episode, embedding.Device);
        return logits.MoveToOuterDisposeScope();
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

    /// <summary>Evaluates on the first <paramref name="episodes"/> episodes of <paramref name="sampler"/>.</summary>
    internal static FewShotEvaluation Evaluate(SequentialModel embedding, EpisodeSampler sampler, int episodes, int depth)
    {
        embedding.eval();
        Device device = embedding.Device;
        var accuracies = new double[episodes];
        var losses = new double[episodes];
        using var prefetched = new PrefetchingEpisodes(sampler, 0, depth, episodes);
        using (no_grad())
        {
            for (int i = 0; i < episodes; i++)
            {
                using var scope = NewDisposeScope();
                Episode episode = prefetched.Next();
                (Tensor logits, Tensor labels) = Forward(embedding, episode, device);
                losses[i] = nn.functional.cross_entropy(logits, labels).item<float>();
                accuracies[i] = logits.argmax(1).eq(labels).sum().item<long>() / (double)episode.QueryCount;
            }
        }

        return FewShotEvaluation.FromEpisodes(accuracies, losses);
    }

    /// <summary>One Adam step on the mean query loss of <paramref name="batch"/> episodes (one backward pass each, gradients accumulated).</summary>
    private static (double Loss, double Accuracy) TrainStep(
        SequentialModel embedding, OptimizerHelper optimizer, PrefetchingEpisodes episodes, int batch, Device device, int step, CancellationToken cancellationToken)
    {
        optimizer.zero_grad();
        double loss = 0, accuracy = 0;
        for (int i = 0; i < batch; i++)
        {
            using var scope = NewDisposeScope();
            Episode episode = episodes.Next(cancellationToken);
            (Tensor logits, Tensor labels) = Forward(embedding, episode, device);
            Tensor episodeLoss = nn.functional.cross_entropy(logits, labels);
            double value = episodeLoss.item<float>();
            MetaTrainingLoop.EnsureFinite(value, step);
            episodeLoss.div(batch).backward();
            loss += value / batch;
            accuracy += logits.argmax(1).eq(labels).sum().item<long>() / (double)episode.QueryCount / batch;
        }

        optimizer.step();
        return (loss, accuracy);
    }

    /// <summary>Query logits and query labels of one episode: one forward pass over support and queries together.</summary>
    private static (Tensor Logits, Tensor QueryLabels) Forward(SequentialModel embedding, Episode episode, Device device)
    {
        int supportCount = episode.SupportCount;
        int total = supportCount + episode.QueryCount;
        long[] shape = new long[episode.SampleShape.Count + 1];
        shape[0] = total;
        for (int d = 0; d < episode.SampleShape.Count; d++)
        {
            shape[d + 1] = episode.SampleShape[d];
        }

        var labels = new long[total];
        for (int i = 0; i < supportCount; i++)
        {
            labels[i] = episode.SupportLabels[i];
        }

        for (int i = 0; i < episode.QueryCount; i++)
        {
            labels[supportCount + i] = episode.QueryLabels[i];
        }

        Tensor x = torch.tensor(episode.Samples, shape, device: device);
        Tensor y = torch.tensor(labels, device: device);
        Tensor z = embedding.forward(x).reshape(total, -1);
        Tensor logits = Logits(z.narrow(0, 0, supportCount), y.narrow(0, 0, supportCount), z.narrow(0, supportCount, episode.QueryCount), episode.Ways);
        return (logits, y.narrow(0, supportCount, episode.QueryCount));
    }

    /// <summary>The prototype logits, without argument checks.</summary>
    private static Tensor Logits(Tensor support, Tensor supportLabels, Tensor query, int ways)
    {
        // Prototypes as one matrix product: (ways × support one-hot, rows normalized) · (support × dimensions).
        Tensor membership = nn.functional.one_hot(supportLabels, ways).t().to(support.dtype);
        Tensor prototypes = membership.matmul(support).div(membership.sum(1, keepdim: true));
        Tensor difference = query.unsqueeze(1) - prototypes.unsqueeze(0);
        return difference.square().sum(2).neg();
    }

    private static void CheckShape(SequentialModel embedding, FewShotDataset data, string parameterName) =>
        CheckShape(embedding, data.SampleShape, parameterName);

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
