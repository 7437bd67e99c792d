using SharpShot.Layers;
using SharpShot.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Meta-trains a generated model with one of the <see cref="MetaAlgorithm"/>s and adapts it to new tasks. Every
/// algorithm runs in the same loops here — episodes drawn ahead, meta-batches, the outer Adam optimizer, validation,
/// checkpoints, evaluation — and differs only in its class (<c>FewShot/MetaLearning/Algorithms</c>), chosen once when
/// the learner is created. The MAML family runs on the model's functional forward
/// (<see cref="SequentialModel.FunctionalLogits"/>): the inner loop takes gradient steps on a list of weight tensors,
/// never on a cloned module. Batch normalization uses each batch's statistics during adaptation and evaluation, as in
/// the MAML paper; dropout is active in those passes too, so leave it out of MAML-family nets.
/// </summary>
/// <example><code>
/// var learner = new MetaLearner(new OmniglotNet(seed: 1), new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Steps = 2_000 });
/// learner.MetaTrain(background, progress: p => Console.WriteLine($"{p.Step}/{p.Steps} {p.Accuracy:P1}"));
/// FewShotEvaluation result = learner.Evaluate(evaluation, episodes: 1_000, seed: 7);
/// </code></example>
public sealed class MetaLearner : IDisposable
{
    private readonly MetaLearningAlgorithm _algorithm;

    /// <summary>Wraps <paramref name="model"/>; the model is trained in place.</summary>
    /// <param name="model">The network: for classification with the MAML family it outputs one logit per way; for Prototypical Networks it is the embedding.</param>
    /// <param name="options">Algorithm and settings; defaults when null.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the model's output does not fit the algorithm and task.</exception>
    public MetaLearner(SequentialModel model, MetaLearnerOptions? options = null)
        : this(model, options, MetaLearningAlgorithm.Create)
    {
    }

    /// <summary>
    /// A Prototypical-Networks learner that also learns zero-shot: <paramref name="attributeMap"/> maps a class's
    /// description (its row of <paramref name="attributes"/>) into the embedding space, where it serves as the class's
    /// prototype, and is meta-trained with <paramref name="embedding"/> (see <see cref="MetaLearnerOptions.ZeroShotLossWeight"/>).
    /// Every training class needs a description. <see cref="ExportOnnx"/> writes the map beside the embedding, so that
    /// <c>FewShotClassifier</c> can fit classes from descriptions, examples or both; <see cref="EvaluateZeroShot"/> tests
    /// it on classes never seen.
    /// </summary>
    /// <param name="embedding">The embedding, as for <see cref="MetaAlgorithm.ProtoNet"/>.</param>
    /// <param name="attributeMap">A model whose input is one description (shape [attribute count]) and whose output has as many values as an embedding; e.g. <c>[Model(12)] [Dense(64)]</c>.</param>
    /// <param name="attributes">The classes' descriptions.</param>
    /// <param name="options">Settings; the algorithm must be <see cref="MetaAlgorithm.ProtoNet"/>.</param>
    /// <exception cref="ArgumentException">The algorithm is not Prototypical Networks, or the map's input or output does not fit the descriptions or the embedding.</exception>
    public MetaLearner(SequentialModel embedding, SequentialModel attributeMap, ClassAttributes attributes, MetaLearnerOptions? options = null)
        : this(embedding, options, (model, checkedOptions) => CreateZeroShot(model, attributeMap, attributes, checkedOptions))
    {
    }

    /// <summary>Wraps <paramref name="model"/> with the algorithm <paramref name="createAlgorithm"/> makes (tests plug in algorithms of their own).</summary>
    internal MetaLearner(SequentialModel model, MetaLearnerOptions? options, Func<SequentialModel, MetaLearnerOptions, MetaLearningAlgorithm> createAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new MetaLearnerOptions();
        Options.Validate();
        if (Options.Traits.AdaptsWeights && Options.Task == MetaTaskKind.Classification
            && !(model.OutputShape.Count == 1 && model.OutputShape[0] == Options.Ways))
        {
            throw new ArgumentException(
                $"{Options.Algorithm} classifies {Options.Ways}-way episodes, so {model.GetType().Name} must output {Options.Ways} logits; it outputs [{string.Join(", ", model.OutputShape)}].",
                nameof(model));
        }

        if (model.FunctionalParameters().Count == 0)
        {
            throw new ArgumentException($"{model.GetType().Name} has no trainable parameters to meta-learn.", nameof(model));
        }

        _algorithm = createAlgorithm(model, Options);
    }

    /// <summary>The network being meta-trained.</summary>
    public SequentialModel Model { get; }

    /// <summary>The settings.</summary>
    public MetaLearnerOptions Options { get; }

    /// <summary>The attribute map of a zero-shot learner; null for others.</summary>
    public SequentialModel? AttributeMap => (_algorithm as PrototypicalNetworks)?.AttributeMap;

    /// <summary>The class descriptions of a zero-shot learner; null for others.</summary>
    public ClassAttributes? Attributes => (_algorithm as PrototypicalNetworks)?.Attributes;

    /// <summary>Meta-SGD's learned inner learning rates, one tensor per weight in <see cref="SequentialModel.ParameterDescriptors"/> order; empty for other algorithms.</summary>
    public IReadOnlyList<Tensor> InnerLearningRates => _algorithm.InnerLearningRates;

    /// <summary>
    /// Meta-trains on N-way episodes drawn from <paramref name="train"/> (<see cref="MetaTaskKind.Classification"/>),
    /// validating on <see cref="MetaLearnerOptions.ValidationData"/> when given, checkpointing when
    /// <see cref="MetaLearnerOptions.CheckpointPath"/> is set (a later run resumes there).
    /// </summary>
    /// <param name="train">The training classes.</param>
    /// <param name="progress">Called every <see cref="MetaLearnerOptions.ProgressEvery"/> steps, after each validation and at the end.</param>
    /// <param name="cancellationToken">Stops between two steps, after writing a checkpoint when one is configured.</param>
    /// <exception cref="ArgumentException">The data's sample shape does not fit the model, the data cannot supply such episodes, or the tasks are regression.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite (with <see cref="MetaLearnerOptions.NonFiniteSteps"/> = Stop); no update is made on it.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint file belongs to another run or has more steps done than asked for; <see cref="CheckpointCorruptException"/> when it is damaged.</exception>
    public MetaTrainingHistory MetaTrain(FewShotDataset train, Action<MetaTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        RequireTask(MetaTaskKind.Classification);
        CheckShape(train.SampleShape, nameof(train));
        if (Attributes is { } attributes && train.Classes.Where(c => !attributes.Describes(c.Name)).Select(c => c.Name).Take(5).ToArray() is { Length: > 0 } undescribed)
        {
            throw new ArgumentException(
                $"Zero-shot training needs a description of every training class; {string.Join(", ", undescribed.Select(n => $"'{n}'"))} have none (described: {string.Join(", ", attributes.ClassNames.Select(n => $"'{n}'"))}).",
                nameof(train));
        }

        // What the samples' values mean goes with the model into every export.
        Model.InputScaling = train.Scaling;
        var sampler = new EpisodeSampler(train, Options.Ways, Options.Shots, Options.Queries, Options.Seed, Options.Transform);
        EpisodeSampler? validation = null;
        if (Options.ValidationData is { } validationData)
        {
            CheckShape(validationData.SampleShape, nameof(Options.ValidationData));
            validation = new EpisodeSampler(validationData, Options.EffectiveValidationWays, Options.EffectiveValidationShots,
                Options.EffectiveValidationQueries, MetaTrainingLoop.ValidationSeed(Options.Seed));
        }

        int batch = Options.EffectiveMetaBatch;
        PrefetchingEpisodes? episodes = null;
        try
        {
            return Train(
                train.Classes.Count,
                train.Classes.Sum(c => (long)c.Count),
                step =>
                {
                    episodes ??= new PrefetchingEpisodes(sampler, (step - 1L) * batch, Options.PrefetchDepth, (Options.Steps - step + 1L) * batch);
                    return Enumerable.Range(0, batch).Select(_ => TaskTensors.Of(episodes.Next(cancellationToken), Model.Device)).ToArray();
                },
                validation is null ? null : () => Evaluate(validation, Options.ValidationEpisodes, Options.EffectiveEvaluationInnerSteps),
                progress,
                cancellationToken);
        }
        finally
        {
            episodes?.Dispose();
        }
    }

    /// <summary>
    /// Meta-trains on regression tasks of <paramref name="tasks"/> (<see cref="MetaTaskKind.Regression"/>): each
    /// episode has <see cref="MetaLearnerOptions.Shots"/> support and <see cref="MetaLearnerOptions.Queries"/> query
    /// samples; validates on <see cref="MetaLearnerOptions.ValidationEpisodes"/> fresh tasks of the family.
    /// </summary>
    /// <exception cref="ArgumentException">The family's shapes do not fit the model, or the tasks are classification.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite (with <see cref="MetaLearnerOptions.NonFiniteSteps"/> = Stop); no update is made on it.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint file belongs to another run or has more steps done than asked for; <see cref="CheckpointCorruptException"/> when it is damaged.</exception>
    public MetaTrainingHistory MetaTrain(IRegressionTaskFamily tasks, Action<MetaTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        RequireTask(MetaTaskKind.Regression);
        CheckRegressionShapes(tasks);
        int batch = Options.EffectiveMetaBatch;
        int validationSeed = MetaTrainingLoop.ValidationSeed(Options.Seed);
        return Train(
            0,
            0,
            step => Enumerable.Range(0, batch)
                .Select(i => TaskTensors.Of(tasks.Episode(Options.Seed, ((step - 1L) * batch) + i, Options.Shots, Options.Queries), tasks, Model.Device))
                .ToArray(),
            () => EvaluateRegression(tasks, validationSeed, Options.ValidationEpisodes, Options.EffectiveEvaluationInnerSteps),
            progress,
            cancellationToken);
    }

    /// <summary>
    /// Adapts to <paramref name="episodes"/> test episodes of <paramref name="test"/> (classes not trained on) and
    /// reports the mean query accuracy ± 95% confidence interval. The model's weights are left unchanged; the same
    /// seed gives the same episodes.
    /// </summary>
    /// <param name="test">The test classes.</param>
    /// <param name="episodes">Test episodes, at least 1 (the literature reports 600 or more).</param>
    /// <param name="seed">Seed of the test episodes.</param>
    /// <param name="ways">Classes per episode; <see cref="MetaLearnerOptions.Ways"/> when null (the MAML family needs that value).</param>
    /// <param name="shots">Support samples per class; <see cref="MetaLearnerOptions.Shots"/> when null.</param>
    /// <param name="queries">Query samples per class; <see cref="MetaLearnerOptions.Queries"/> when null.</param>
    /// <param name="innerSteps">Adaptation steps; <see cref="MetaLearnerOptions.EffectiveEvaluationInnerSteps"/> when null.</param>
    /// <exception cref="ArgumentException">The data does not fit the model or cannot supply such episodes, or <paramref name="ways"/> differs from the model's outputs.</exception>
    public FewShotEvaluation Evaluate(FewShotDataset test, int episodes, int seed, int? ways = null, int? shots = null, int? queries = null, int? innerSteps = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        RequireTask(MetaTaskKind.Classification);
        int n = ways ?? Options.Ways, k = shots ?? Options.Shots, q = queries ?? Options.Queries;
        if (Options.Traits.AdaptsWeights && n != Options.Ways)
        {
            throw new ArgumentException($"{Options.Algorithm} adapts a head of {Options.Ways} outputs, so test episodes must be {Options.Ways}-way; got {n}.", nameof(ways));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2, nameof(ways));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1, nameof(shots));
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 1, nameof(queries));
        CheckShape(test.SampleShape, nameof(test));
        int steps = innerSteps ?? Options.EffectiveEvaluationInnerSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 0, nameof(innerSteps));
        return Evaluate(new EpisodeSampler(test, n, k, q, seed), episodes, steps);
    }

    /// <summary>
    /// Zero-shot accuracy on <paramref name="episodes"/> episodes of <paramref name="test"/>: each episode's queries are
    /// classified among its <paramref name="ways"/> classes by the prototypes their descriptions map to, with no example
    /// of them. Mean ± 95% confidence interval; the weights are unchanged.
    /// </summary>
    /// <param name="test">Classes to test on, all described by <see cref="Attributes"/> (normally classes not trained on).</param>
    /// <param name="episodes">Test episodes, at least 1.</param>
    /// <param name="seed">Seed of the test episodes.</param>
    /// <param name="ways">Classes per episode, at least 2; all of <paramref name="test"/>'s classes when null.</param>
    /// <param name="queries">Query samples per class; <see cref="MetaLearnerOptions.Queries"/> when null.</param>
    /// <exception cref="InvalidOperationException">The learner has no attribute map.</exception>
    /// <exception cref="ArgumentException">A test class has no description, or the data cannot supply such episodes.</exception>
    public FewShotEvaluation EvaluateZeroShot(FewShotDataset test, int episodes, int seed, int? ways = null, int? queries = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        PrototypicalNetworks zeroShot = _algorithm is PrototypicalNetworks { Attributes: not null } p ? p : throw new InvalidOperationException(
            "This learner has no attribute map: create it with MetaLearner(embedding, attributeMap, attributes, options) for zero-shot learning.");
        CheckShape(test.SampleShape, nameof(test));
        string[] undescribed = test.Classes.Where(c => !zeroShot.Attributes!.Describes(c.Name)).Select(c => c.Name).Take(5).ToArray();
        if (undescribed.Length > 0)
        {
            throw new ArgumentException($"Zero-shot testing needs a description of every test class; {string.Join(", ", undescribed.Select(n => $"'{n}'"))} have none.", nameof(test));
        }

        int n = ways ?? test.Classes.Count, q = queries ?? Options.Queries;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2, nameof(ways));
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 1, nameof(queries));
        // Episodes carry one support sample per class, which zero-shot classification leaves unused.
        var sampler = new EpisodeSampler(test, n, 1, q, seed);
        var accuracies = new double[episodes];
        var losses = new double[episodes];
        using var prefetched = new PrefetchingEpisodes(sampler, 0, Options.PrefetchDepth, episodes);
        using IDisposable evaluationMode = _algorithm.BeginEvaluation();
        for (int i = 0; i < episodes; i++)
        {
            using var scope = NewDisposeScope();
            using TaskTensors task = TaskTensors.Of(prefetched.Next(), Model.Device);
            Tensor logits = zeroShot.ZeroShotLogits(task);
            losses[i] = nn.functional.cross_entropy(logits, task.QueryY).item<float>();
            accuracies[i] = Accuracy(logits, task.QueryY);
        }

        return FewShotEvaluation.FromEpisodes(accuracies, losses);
    }

    /// <summary>
    /// Mean query MSE after adapting with <paramref name="innerSteps"/> steps on each of <paramref name="episodes"/>
    /// regression episodes of stream <paramref name="seed"/> (accuracy NaN). The model's weights are left unchanged.
    /// </summary>
    /// <param name="tasks">The task family.</param>
    /// <param name="episodes">Test tasks, at least 1.</param>
    /// <param name="seed">Stream of the test tasks (use one training did not).</param>
    /// <param name="innerSteps">Adaptation steps, at least 0; <see cref="MetaLearnerOptions.EffectiveEvaluationInnerSteps"/> when null.</param>
    /// <param name="shots">Support samples per task; <see cref="MetaLearnerOptions.Shots"/> when null.</param>
    /// <param name="queries">Query samples per task; <see cref="MetaLearnerOptions.Queries"/> when null.</param>
    public FewShotEvaluation Evaluate(IRegressionTaskFamily tasks, int episodes, int seed, int? innerSteps = null, int? shots = null, int? queries = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        RequireTask(MetaTaskKind.Regression);
        CheckRegressionShapes(tasks);
        int steps = innerSteps ?? Options.EffectiveEvaluationInnerSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 0, nameof(innerSteps));
        return EvaluateRegression(tasks, seed, episodes, steps, shots ?? Options.Shots, queries ?? Options.Queries);
    }

    /// <summary>
    /// Adapts the weights to a task: <paramref name="steps"/> gradient steps of the inner loop on the support set,
    /// starting from the meta-trained weights (Meta-SGD with its learned rates, ANIL on the head only). Returns the
    /// adapted weights, detached, in <see cref="SequentialModel.ParameterDescriptors"/> order, for
    /// <see cref="SequentialModel.FunctionalLogits"/> or <see cref="ExportAdaptedOnnx"/>; the model is unchanged.
    /// </summary>
    /// <param name="supportX">Support samples, shape (count, input shape).</param>
    /// <param name="supportY">Class indices (int64, classification) or targets (float, regression).</param>
    /// <param name="steps">Inner steps; <see cref="MetaLearnerOptions.EffectiveEvaluationInnerSteps"/> when null.</param>
    /// <exception cref="InvalidOperationException">The algorithm does not adapt weights (Prototypical Networks adapt by prototypes).</exception>
    public IReadOnlyList<Tensor> Adapt(Tensor supportX, Tensor supportY, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(supportX);
        ArgumentNullException.ThrowIfNull(supportY);
        int count = steps ?? Options.EffectiveEvaluationInnerSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0, nameof(steps));
        using var scope = NewDisposeScope();
        Tensor[] adapted = _algorithm.Adapt(supportX.to(Model.Device), supportY.to(Model.Device), count);
        return adapted.Select(w => w.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// Adapts to the support set (<see cref="Adapt"/>) and predicts the queries with the adapted weights, batch norm
    /// normalizing the queries as <see cref="MetaLearnerOptions.QueryNormalization"/> says: by default with the support
    /// set's statistics, so a query's output does not depend on the other queries given with it.
    /// </summary>
    /// <param name="supportX">Support samples, shape (count, input shape).</param>
    /// <param name="supportY">Class indices (int64, classification) or targets (float, regression).</param>
    /// <param name="queryX">Query samples, shape (count, input shape).</param>
    /// <param name="steps">Inner steps; <see cref="MetaLearnerOptions.EffectiveEvaluationInnerSteps"/> when null.</param>
    /// <returns>The queries' logits (or predictions), detached.</returns>
    /// <exception cref="InvalidOperationException">The algorithm does not adapt weights.</exception>
    public Tensor Predict(Tensor supportX, Tensor supportY, Tensor queryX, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(queryX);
        InnerLoopAlgorithm inner = RequireInnerLoop();
        IReadOnlyList<Tensor> adapted = Adapt(supportX, supportY, steps);
        try
        {
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                return inner.PredictQueries(supportX.to(Model.Device), queryX.to(Model.Device), adapted).detach().MoveToOuterDisposeScope();
            }
        }
        finally
        {
            foreach (Tensor tensor in adapted)
            {
                tensor.Dispose();
            }
        }
    }

    private static PrototypicalNetworks CreateZeroShot(SequentialModel embedding, SequentialModel attributeMap, ClassAttributes attributes, MetaLearnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(attributeMap);
        ArgumentNullException.ThrowIfNull(attributes);
        if (options.Traits.AdaptsWeights)
        {
            throw new ArgumentException(
                $"Zero-shot learning maps descriptions to prototypes, so it needs an algorithm that classifies by prototypes ({MetaAlgorithmTraits.Titles(t => !t.AdaptsWeights)}); the algorithm is {options.Traits.Title}.",
                nameof(options));
        }

        if (ReferenceEquals(attributeMap, embedding))
        {
            throw new ArgumentException("The attribute map must be a model of its own, not the embedding.", nameof(attributeMap));
        }

        if (!attributeMap.InputShape.SequenceEqual([attributes.Count]))
        {
            throw new ArgumentException(
                $"{attributeMap.GetType().Name} takes [{string.Join(", ", attributeMap.InputShape)}]; a description has {attributes.Count} attributes, so declare it [Model({attributes.Count})].",
                nameof(attributeMap));
        }

        long embeddingLength = embedding.OutputShape.Aggregate(1L, (a, b) => a * b);
        long mapLength = attributeMap.OutputShape.Aggregate(1L, (a, b) => a * b);
        if (mapLength != embeddingLength)
        {
            throw new ArgumentException(
                $"{attributeMap.GetType().Name} outputs {mapLength} values, but an embedding of {embedding.GetType().Name} has {embeddingLength}: the map must land in the embedding space.",
                nameof(attributeMap));
        }

        if (attributeMap.FunctionalParameters().Count == 0)
        {
            throw new ArgumentException($"{attributeMap.GetType().Name} has no trainable parameters to learn the map.", nameof(attributeMap));
        }

        if (attributeMap.Device.type != embedding.Device.type)
        {
            throw new ArgumentException($"The attribute map is on {attributeMap.Device.type}, the embedding on {embedding.Device.type}; put both on one device.", nameof(attributeMap));
        }

        return new PrototypicalNetworks(embedding, options, attributeMap, attributes);
    }

    private InnerLoopAlgorithm RequireInnerLoop() => _algorithm as InnerLoopAlgorithm ?? throw new InvalidOperationException(
        $"{Options.Algorithm} does not adapt weights (there is no inner loop); export the embedding (ExportOnnx) and fit prototypes with FewShotClassifier.");

    /// <summary>
    /// Writes the network as ONNX (see <see cref="SequentialModel.ExportOnnx(string, int)"/>). For the MAML family (algorithms that adapt weights), batch
    /// normalization in the file uses the statistics of each batch it is given, as adaptation and evaluation do
    /// here: classify a task's queries together, as a batch. Prototypical Networks export the embedding as is.
    /// </summary>
    /// <param name="path">Where to write the .onnx file.</param>
    /// <param name="opset">ONNX opset, 13 or newer.</param>
    /// <remarks>
    /// A zero-shot learner also writes its attribute map beside the file, as <c>&lt;name&gt;.attributes.onnx</c> (input: descriptions,
    /// [batch, attribute count]; output: their prototypes; metadata <see cref="Onnx.SharpShotMetadata.AttributeNames"/>), and
    /// names it in the embedding's metadata (<see cref="Onnx.SharpShotMetadata.AttributeMap"/>): keep the two files together.
    /// </remarks>
    public void ExportOnnx(string path, int opset = Onnx.OnnxGraphBuilder.DefaultOpset)
    {
        if (AttributeMap is not { } map || Attributes is not { } attributes)
        {
            Model.ExportOnnx(path, Model.FunctionalParameters(), training: _algorithm.ExportsBatchStatistics, opset);
            return;
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string mapPath = AttributeMapPath(path);
        string attributeNames = System.Text.Json.JsonSerializer.Serialize(attributes.AttributeNames);
        // The map first: an embedding never names a map file that is not there.
        map.ExportOnnx(mapPath, map.FunctionalParameters(), training: false, opset, statistics: null,
            new Dictionary<string, string> { [Onnx.SharpShotMetadata.AttributeNames] = attributeNames });
        Model.ExportOnnx(path, Model.FunctionalParameters(), training: false, opset, statistics: null,
            new Dictionary<string, string> { [Onnx.SharpShotMetadata.AttributeMap] = Path.GetFileName(mapPath), [Onnx.SharpShotMetadata.AttributeNames] = attributeNames });
    }

    /// <summary>Where <see cref="ExportOnnx"/> writes a zero-shot learner's attribute map for an embedding written to <paramref name="embeddingPath"/>.</summary>
    public static string AttributeMapPath(string embeddingPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddingPath);
        string full = Path.GetFullPath(embeddingPath);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".attributes.onnx");
    }

    /// <summary>
    /// Adapts to the support set (<see cref="Adapt"/>) and writes the adapted network as ONNX; the model's own weights
    /// are not touched. Batch normalization as <see cref="MetaLearnerOptions.QueryNormalization"/> says: by default the
    /// support set's statistics, written as constants (each input's answer is its own, as <see cref="Predict"/> gives it);
    /// with <see cref="QueryNormalization.QueryBatch"/> the statistics of each batch the file is given.
    /// </summary>
    public void ExportAdaptedOnnx(string path, Tensor supportX, Tensor supportY, int? steps = null, int opset = Onnx.OnnxGraphBuilder.DefaultOpset)
    {
        IReadOnlyList<Tensor> adapted = Adapt(supportX, supportY, steps);
        try
        {
            if (Options.QueryNormalization == QueryNormalization.QueryBatch || _algorithm is not InnerLoopAlgorithm inner)
            {
                Model.ExportOnnx(path, adapted, training: true, opset);
            }
            else
            {
                using BatchStatistics statistics = inner.SupportStatistics(supportX.to(Model.Device), adapted);
                Model.ExportOnnx(path, adapted, training: true, opset, statistics);
            }
        }
        finally
        {
            foreach (Tensor tensor in adapted)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes one ONNX model that adapts to a task inside the graph, for an app with nothing but an ONNX runtime: inputs
    /// <c>support_x</c> (support samples, the model's input; raw pixels for an image model), <c>support_y</c> (int64 class
    /// indices 0..ways−1, or float targets for regression) and <c>query_x</c>; output <c>query_logits</c> (queries × ways)
    /// or <c>query_predictions</c>. The graph runs the inner loop — <paramref name="steps"/> gradient steps on the support
    /// loss from the meta-trained weights, with this learner's inner learning rate (Meta-SGD: its learned rates; ANIL: the
    /// head only), written as ONNX operators — and predicts the queries with the adapted weights, as <see cref="Adapt"/>
    /// and a forward pass do here (batch normalization by batch statistics).
    /// </summary>
    /// <param name="path">Where to write the .onnx file.</param>
    /// <param name="steps">Inner steps baked in; <see cref="MetaLearnerOptions.EffectiveEvaluationInnerSteps"/> when null.</param>
    /// <param name="opset">ONNX opset, 16 or newer (the max-pooling gradient scatters with a reduction).</param>
    /// <exception cref="InvalidOperationException">The algorithm does not adapt weights (Prototypical Networks adapt by prototypes: export the embedding and use FewShotClassifier).</exception>
    /// <exception cref="Layers.NoBackwardRuleException">A layer has no backward rule; the message names it.</exception>
    public void ExportAdaptiveOnnx(string path, int? steps = null, int opset = Onnx.OnnxGraphBuilder.DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        int count = steps ?? Options.EffectiveEvaluationInnerSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0, nameof(steps));
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 16, nameof(opset));
        AdaptiveExport.Write(RequireInnerLoop(), path, count, opset);
    }

    /// <summary>
    /// Loads the meta-parameters (the model's weights and buffers, and what the algorithm learns besides: Meta-SGD's
    /// learning rates, a zero-shot learner's attribute map) from a meta-training checkpoint of this learner's kind —
    /// <see cref="MetaLearnerOptions.CheckpointPath"/>, or the best validation's <c>&lt;name&gt;.best&lt;extension&gt;</c> beside it.
    /// The whole file is checked first (checksum, format, every tensor's name, type and shape); on any failure nothing is changed.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CheckpointCorruptException">The file is damaged or not a checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Its tensors are not this learner's, or it is of another format version.</exception>
    public void LoadCheckpointWeights(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        CheckpointFile.LoadWeights(path, _algorithm.State);
    }

    /// <summary>Releases what the algorithm allocated (Meta-SGD's learning-rate tensors); the model is not disposed.</summary>
    public void Dispose() => _algorithm.Dispose();

    /// <summary>The shared outer loop: an Adam step per meta-batch, checkpointing every meta-parameter.</summary>
    private MetaTrainingHistory Train(
        int trainClasses,
        long trainSamples,
        Func<int, TaskTensors[]> batchAt,
        Func<FewShotEvaluation>? validate,
        Action<MetaTrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        using Adam optimizer = optim.Adam(_algorithm.State.parameters(), lr: Options.LearningRate);
        var identity = new MetaCheckpointState(Options.Algorithm.ToString(), Model.GetType().FullName ?? Model.GetType().Name, Model.ParameterCount,
            trainClasses, trainSamples, Options.Ways, Options.Shots, Options.Queries, _algorithm.Settings, Options.LearningRate,
            Options.EffectiveLearningRateHalvingEvery, Options.Seed, Options.Transform?.ToString() ?? "none", 0, [], 0);
        var schedule = new MetaSchedule(Options.Steps, Options.EffectiveMetaBatch, Options.LearningRateAt, Options.Seed, Options.ValidationEvery,
            Options.CheckpointPath, Options.CheckpointEvery, Options.ProgressEvery);
        _algorithm.State.train();
        try
        {
            return MetaTrainingLoop.Run(schedule, _algorithm.State, optimizer, identity, step => TrainStep(optimizer, batchAt(step), step), validate, progress, cancellationToken);
        }
        finally
        {
            _algorithm.State.eval();
        }
    }

    /// <summary>
    /// One meta-update: each task's loss, checked, then its share of the meta-gradient, task by task (so only one task's
    /// graph is alive), then the gradients checked, then one optimizer step. A NaN or infinite loss or gradient stops
    /// training or skips the step (returns null) as <see cref="MetaLearnerOptions.NonFiniteSteps"/> says, before the step.
    /// </summary>
    private (double Loss, double Accuracy)? TrainStep(OptimizerHelper optimizer, TaskTensors[] tasks, int step)
    {
        optimizer.zero_grad();
        double loss = 0, accuracy = 0;
        try
        {
            foreach (TaskTensors task in tasks)
            {
                using var scope = NewDisposeScope();
                TaskLoss taskLoss = _algorithm.TrainingLoss(task);
                double value = taskLoss.Loss.item<float>();
                if (!double.IsFinite(value))
                {
                    return NotFinite(optimizer, step, value, parameter: null);
                }

                loss += value / tasks.Length;
                accuracy += Accuracy(taskLoss.Output, task.QueryY) / tasks.Length;
                _algorithm.Backward(taskLoss, tasks.Length);
                task.Dispose();
            }

            if (NonFiniteGradients.First(_algorithm.State.named_parameters()) is { } parameter)
            {
                return NotFinite(optimizer, step, loss, parameter);
            }

            optimizer.step();
            return (loss, accuracy);
        }
        finally
        {
            foreach (TaskTensors task in tasks)
            {
                task.Dispose();
            }
        }
    }

    /// <summary>Stops with <see cref="TrainingDivergedException"/>, or clears the gradients and returns null for a skipped step.</summary>
    private (double Loss, double Accuracy)? NotFinite(OptimizerHelper optimizer, int step, double loss, string? parameter)
    {
        if (Options.NonFiniteSteps == NonFiniteSteps.Stop)
        {
            throw new TrainingDivergedException(1, step, loss, parameter, $"meta-training step {step}");
        }

        optimizer.zero_grad();
        return null;
    }

    /// <summary>Evaluates on the first <paramref name="episodes"/> episodes of <paramref name="sampler"/>.</summary>
    private FewShotEvaluation Evaluate(EpisodeSampler sampler, int episodes, int innerSteps)
    {
        var accuracies = new double[episodes];
        var losses = new double[episodes];
        using var prefetched = new PrefetchingEpisodes(sampler, 0, Options.PrefetchDepth, episodes);
        using IDisposable evaluationMode = _algorithm.BeginEvaluation();
        for (int i = 0; i < episodes; i++)
        {
            using var scope = NewDisposeScope();
            using TaskTensors task = TaskTensors.Of(prefetched.Next(), Model.Device);
            (losses[i], Tensor output) = _algorithm.Evaluate(task, innerSteps);
            accuracies[i] = Accuracy(output, task.QueryY);
        }

        return FewShotEvaluation.FromEpisodes(accuracies, losses);
    }

    /// <summary>Evaluates regression on <paramref name="episodes"/> tasks of stream <paramref name="seed"/>.</summary>
    private FewShotEvaluation EvaluateRegression(IRegressionTaskFamily tasks, int seed, int episodes, int innerSteps, int? shots = null, int? queries = null)
    {
        var accuracies = new double[episodes];
        var losses = new double[episodes];
        using IDisposable evaluationMode = _algorithm.BeginEvaluation();
        for (int i = 0; i < episodes; i++)
        {
            using var scope = NewDisposeScope();
            using TaskTensors task = TaskTensors.Of(tasks.Episode(seed, i, shots ?? Options.Shots, queries ?? Options.Queries), tasks, Model.Device);
            (losses[i], _) = _algorithm.Evaluate(task, innerSteps);
            accuracies[i] = double.NaN;
        }

        return FewShotEvaluation.FromEpisodes(accuracies, losses);
    }

    private double Accuracy(Tensor output, Tensor target) => Options.Task == MetaTaskKind.Classification
        ? output.argmax(1).eq(target).sum().item<long>() / (double)target.shape[0]
        : double.NaN;

    private void RequireTask(MetaTaskKind kind)
    {
        if (Options.Task != kind)
        {
            throw new ArgumentException($"This learner is set up for {Options.Task} tasks (MetaLearnerOptions.Task); these are {kind} tasks.");
        }
    }

    private void CheckShape(IReadOnlyList<int> sampleShape, string parameterName) => ProtoNet.CheckShape(Model, sampleShape, parameterName);

    private void CheckRegressionShapes(IRegressionTaskFamily tasks)
    {
        CheckShape(tasks.InputShape, nameof(tasks));
        if (!tasks.OutputShape.SequenceEqual(Model.OutputShape))
        {
            throw new ArgumentException(
                $"{Model.GetType().Name} outputs [{string.Join(", ", Model.OutputShape)}]; the tasks' targets are [{string.Join(", ", tasks.OutputShape)}].",
                nameof(tasks));
        }
    }
}
