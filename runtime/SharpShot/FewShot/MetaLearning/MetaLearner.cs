using SharpShot.Layers;
using SharpShot.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Meta-trains a generated model with one of the <see cref="MetaAlgorithm"/>s and adapts it to new tasks. The
/// MAML family runs on the model's functional forward (<see cref="SequentialModel.FunctionalLogits"/>): the inner
/// loop takes gradient steps on a list of weight tensors, never on a cloned module, and the outer optimizer (Adam)
/// updates the model's own parameters. Batch normalization uses each batch's statistics during adaptation and
/// evaluation, as in the MAML paper; dropout is active in those passes too, so leave it out of MAML-family nets.
/// </summary>
/// <example><code>
/// var learner = new MetaLearner(new OmniglotNet(seed: 1), new MetaLearnerOptions { Algorithm = MetaAlgorithm.Maml, Steps = 2_000 });
/// learner.MetaTrain(background, progress: p => Console.WriteLine($"{p.Step}/{p.Steps} {p.Accuracy:P1}"));
/// FewShotEvaluation result = learner.Evaluate(evaluation, episodes: 1_000, seed: 7);
/// </code></example>
public sealed class MetaLearner : IDisposable
{
    private readonly Parameter[] _weights;
    private readonly Parameter[] _learningRates;
    private readonly MetaParameters _state;
    private readonly int _headStart;
    private readonly Layer[] _body;
    private readonly Layer[] _head;

    /// <summary>Wraps <paramref name="model"/>; the model is trained in place.</summary>
    /// <param name="model">The network: for classification with the MAML family it outputs one logit per way; for Prototypical Networks it is the embedding.</param>
    /// <param name="options">Algorithm and settings; defaults when null.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the model's output does not fit the algorithm and task.</exception>
    public MetaLearner(SequentialModel model, MetaLearnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new MetaLearnerOptions();
        Options.Validate();
        if (Options.Algorithm != MetaAlgorithm.ProtoNet && Options.Task == MetaTaskKind.Classification
            && !(model.OutputShape.Count == 1 && model.OutputShape[0] == Options.Ways))
        {
            throw new ArgumentException(
                $"{Options.Algorithm} classifies {Options.Ways}-way episodes, so {model.GetType().Name} must output {Options.Ways} logits; it outputs [{string.Join(", ", model.OutputShape)}].",
                nameof(model));
        }

        if (Options.Algorithm == MetaAlgorithm.ProtoNet && Options.Task == MetaTaskKind.Regression)
        {
            throw new ArgumentException("Prototypical Networks classify; regression tasks need an algorithm of the MAML family.", nameof(options));
        }

        _weights = model.FunctionalParameters().ToArray();
        if (_weights.Length == 0)
        {
            throw new ArgumentException($"{model.GetType().Name} has no trainable parameters to meta-learn.", nameof(model));
        }

        // ANIL's head: the last top-level layer with parameters, and whatever follows it.
        IReadOnlyList<Layer> layers = model.LogitLayers;
        int headLayer = layers.Count - 1;
        while (layers[headLayer].parameters().Any() is false)
        {
            headLayer--;
        }

        _body = layers.Take(headLayer).ToArray();
        _head = layers.Skip(headLayer).ToArray();
        _headStart = _body.Sum(layer => layer.parameters().Count());

        // Meta-SGD learns one inner learning rate per weight, starting at InnerLearningRate.
        _learningRates = Options.Algorithm == MetaAlgorithm.MetaSgd
            ? _weights.Select(w => new Parameter(full_like(w, Options.InnerLearningRate), requires_grad: true)).ToArray()
            : [];
        _state = new MetaParameters(model, _learningRates);
    }

    /// <summary>The network being meta-trained.</summary>
    public SequentialModel Model { get; }

    /// <summary>The settings.</summary>
    public MetaLearnerOptions Options { get; }

    /// <summary>Meta-SGD's learned inner learning rates, one tensor per weight in <see cref="SequentialModel.ParameterDescriptors"/> order; empty for other algorithms.</summary>
    public IReadOnlyList<Tensor> InnerLearningRates => _learningRates;

    /// <summary>
    /// Meta-trains on N-way episodes drawn from <paramref name="train"/> (<see cref="MetaTaskKind.Classification"/>),
    /// validating on <see cref="MetaLearnerOptions.ValidationData"/> when given, checkpointing when
    /// <see cref="MetaLearnerOptions.CheckpointPath"/> is set (a later run resumes there).
    /// </summary>
    /// <param name="train">The training classes.</param>
    /// <param name="progress">Called every <see cref="MetaLearnerOptions.ProgressEvery"/> steps, after each validation and at the end.</param>
    /// <param name="cancellationToken">Stops between two steps, after writing a checkpoint when one is configured.</param>
    /// <exception cref="ArgumentException">The data's sample shape does not fit the model, the data cannot supply such episodes, or the tasks are regression.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; no update is made on it.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint file belongs to another run.</exception>
    public MetaTrainingHistory MetaTrain(FewShotDataset train, Action<MetaTrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        RequireTask(MetaTaskKind.Classification);
        if (Options.Algorithm == MetaAlgorithm.ProtoNet)
        {
            return ProtoNet.MetaTrain(Model, train, Options, progress, cancellationToken);
        }

        CheckShape(train.SampleShape, nameof(train));
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
                    return Enumerable.Range(0, batch).Select(_ => ClassificationTask(episodes.Next(cancellationToken))).ToArray();
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
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; no update is made on it.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint file belongs to another run.</exception>
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
                .Select(i => RegressionTask(tasks, tasks.Episode(Options.Seed, ((step - 1L) * batch) + i, Options.Shots, Options.Queries)))
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
        if (Options.Algorithm == MetaAlgorithm.ProtoNet)
        {
            return ProtoNet.Evaluate(Model, test, n, k, q, episodes, seed);
        }

        if (n != Options.Ways)
        {
            throw new ArgumentException($"{Options.Algorithm} adapts a head of {Options.Ways} outputs, so test episodes must be {Options.Ways}-way; got {n}.", nameof(ways));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 1);
        CheckShape(test.SampleShape, nameof(test));
        int steps = innerSteps ?? Options.EffectiveEvaluationInnerSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 0);
        return Evaluate(new EpisodeSampler(test, n, k, q, seed), episodes, steps);
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
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 0);
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
    /// <exception cref="InvalidOperationException">The algorithm is Prototypical Networks, which adapts by prototypes, not weights.</exception>
    public IReadOnlyList<Tensor> Adapt(Tensor supportX, Tensor supportY, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(supportX);
        ArgumentNullException.ThrowIfNull(supportY);
        if (Options.Algorithm == MetaAlgorithm.ProtoNet)
        {
            throw new InvalidOperationException("Prototypical Networks adapt by class prototypes, not weights: use FewShotClassifier over the exported embedding, or ProtoNet.PrototypeLogits.");
        }

        int count = steps ?? Options.EffectiveEvaluationInnerSteps;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        using var scope = NewDisposeScope();
        Tensor[] adapted = AdaptForEvaluation(supportX.to(Model.Device), supportY.to(Model.Device), count);
        return adapted.Select(w => w.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// Writes the network as ONNX (see <see cref="SequentialModel.ExportOnnx(string, int)"/>). For the MAML family, batch
    /// normalization in the file uses the statistics of each batch it is given, as adaptation and evaluation do
    /// here: classify a task's queries together, as a batch. Prototypical Networks export the embedding as is.
    /// </summary>
    /// <param name="path">Where to write the .onnx file.</param>
    /// <param name="opset">ONNX opset, 13 or newer.</param>
    public void ExportOnnx(string path, int opset = Onnx.OnnxGraphBuilder.DefaultOpset) =>
        Model.ExportOnnx(path, Model.FunctionalParameters(), training: Options.Algorithm != MetaAlgorithm.ProtoNet, opset);

    /// <summary>
    /// Adapts to the support set (<see cref="Adapt"/>) and writes the adapted network as ONNX (see
    /// <see cref="ExportOnnx"/>: batch normalization by batch statistics); the model's own weights are not touched.
    /// </summary>
    public void ExportAdaptedOnnx(string path, Tensor supportX, Tensor supportY, int? steps = null, int opset = Onnx.OnnxGraphBuilder.DefaultOpset)
    {
        IReadOnlyList<Tensor> adapted = Adapt(supportX, supportY, steps);
        try
        {
            Model.ExportOnnx(path, adapted, training: true, opset);
        }
        finally
        {
            foreach (Tensor tensor in adapted)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Releases Meta-SGD's learning-rate tensors; the model is not disposed.</summary>
    public void Dispose()
    {
        foreach (Parameter rate in _learningRates)
        {
            rate.Dispose();
        }
    }

    /// <summary>How the query losses are combined, part of the checkpoint's identity: a resumed run must weigh them alike.</summary>
    private string MultiStepLossText => !Options.MultiStepLoss ? ""
        : Options.MultiStepLossWeights is { } weights
            ? $", multi-step loss weighted {string.Join("/", weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}"
            : ", multi-step loss";

    /// <summary>The shared outer loop: an Adam step per meta-batch, checkpointing the model and any learned rates.</summary>
    private MetaTrainingHistory Train(
        int trainClasses,
        long trainSamples,
        Func<int, TaskTensors[]> batchAt,
        Func<FewShotEvaluation>? validate,
        Action<MetaTrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        using Adam optimizer = optim.Adam(_state.parameters(), lr: Options.LearningRate);
        string hyperparameters = FormattableString.Invariant(
            $"{Options.Task}, meta-batch {Options.EffectiveMetaBatch}, inner steps {Options.InnerSteps}, inner lr {Options.InnerLearningRate}{MultiStepLossText}");
        var identity = new MetaCheckpointState(Options.Algorithm.ToString(), Model.GetType().FullName ?? Model.GetType().Name, Model.ParameterCount,
            trainClasses, trainSamples, Options.Ways, Options.Shots, Options.Queries, hyperparameters, Options.LearningRate,
            Options.EffectiveLearningRateHalvingEvery, Options.Seed, Options.Transform?.ToString() ?? "none", 0, []);
        var schedule = new MetaSchedule(Options.Steps, Options.EffectiveMetaBatch, Options.LearningRateAt, Options.Seed, Options.ValidationEvery,
            Options.CheckpointPath, Options.CheckpointEvery, Options.ProgressEvery);
        Model.train();
        try
        {
            return MetaTrainingLoop.Run(schedule, _state, optimizer, identity, step => TrainStep(optimizer, batchAt(step), step), validate, progress, cancellationToken);
        }
        finally
        {
            Model.eval();
        }
    }

    /// <summary>One meta-update: each task's query loss after the inner loop, backpropagated task by task (so only one task's graph is alive), then one optimizer step.</summary>
    private (double Loss, double Accuracy) TrainStep(OptimizerHelper optimizer, TaskTensors[] tasks, int step)
    {
        optimizer.zero_grad();
        double loss = 0, accuracy = 0;
        foreach (TaskTensors task in tasks)
        {
            using var scope = NewDisposeScope();
            (Tensor queryLoss, Tensor queryOutput) = Options.Algorithm == MetaAlgorithm.Reptile ? ReptileTask(task, tasks.Length) : MamlTask(task);
            double value = queryLoss.item<float>();
            MetaTrainingLoop.EnsureFinite(value, step);
            loss += value / tasks.Length;
            accuracy += Accuracy(queryOutput, task.QueryY) / tasks.Length;
            if (Options.Algorithm != MetaAlgorithm.Reptile)
            {
                queryLoss.div(tasks.Length).backward();
            }

            task.Dispose();
        }

        optimizer.step();
        return (loss, accuracy);
    }

    /// <summary>
    /// MAML, first-order MAML, ANIL and Meta-SGD on one task: the inner loop on the support set, then the query loss
    /// at the adapted weights, differentiable with respect to the meta-parameters.
    /// </summary>
    private (Tensor Loss, Tensor Output) MamlTask(TaskTensors task)
    {
        bool secondOrder = Options.Algorithm is not MetaAlgorithm.FoMaml;
        if (Options.Algorithm == MetaAlgorithm.Anil)
        {
            // The body runs once per set; only the head adapts.
            Tensor supportFeatures = Body(task.SupportX, _weights);
            Tensor queryFeatures = Body(task.QueryX, _weights);
            return QueryLoss(
                InnerLoopSteps(_weights[_headStart..], headOnly: true, supportFeatures, task.SupportY, Options.InnerSteps, secondOrder),
                head => Head(queryFeatures, head));
        }

        return QueryLoss(
            InnerLoopSteps(_weights, headOnly: false, task.SupportX, task.SupportY, Options.InnerSteps, secondOrder),
            adapted => Model.FunctionalLogits(task.QueryX, adapted, training: true));

        // The query loss after the last inner step, or with MultiStepLoss the (weighted) mean of those after every step.
        (Tensor Loss, Tensor Output) QueryLoss(IEnumerable<Tensor[]> steps, Func<Tensor[], Tensor> forward)
        {
            Tensor[] outputs = (Options.MultiStepLoss ? steps : [steps.Last()]).Select(forward).ToArray();
            Tensor[] losses = outputs.Select(output => Loss(output, task.QueryY)).ToArray();
            if (losses.Length == 1)
            {
                return (losses[0], outputs[^1]);
            }

            IReadOnlyList<double> weights = Options.MultiStepLossWeights ?? Enumerable.Repeat(1.0, losses.Length).ToArray();
            double total = weights.Sum();
            Tensor loss = losses.Select((stepLoss, i) => stepLoss.mul(weights[i] / total)).Aggregate((sum, next) => sum.add(next));
            return (loss, outputs[^1]);
        }
    }

    /// <summary>
    /// Reptile on one task: plain SGD steps on the support set from a detached copy of the weights, then a
    /// surrogate whose gradient is (θ − φ) / meta-batch is backpropagated, so the optimizer moves θ towards φ.
    /// </summary>
    private (Tensor Loss, Tensor Output) ReptileTask(TaskTensors task, int batch)
    {
        Tensor[] fast = _weights.Select(w => w.detach().clone().requires_grad_(true)).ToArray();
        fast = InnerLoop(fast, headOnly: false, task.SupportX, task.SupportY, Options.InnerSteps, secondOrder: false);
        Tensor surrogate = zeros(1, device: Model.Device);
        for (int i = 0; i < _weights.Length; i++)
        {
            surrogate = surrogate + _weights[i].mul(_weights[i].detach().sub(fast[i].detach()).div(batch)).sum();
        }

        surrogate.backward();
        using (no_grad())
        {
            Tensor output = Model.FunctionalLogits(task.QueryX, fast, training: true);
            return (Loss(output, task.QueryY), output);
        }
    }

    /// <summary>
    /// <paramref name="steps"/> gradient steps on the support loss, from <paramref name="start"/>: the whole network's
    /// weights, or with <paramref name="headOnly"/> the head's (and <paramref name="supportX"/> are the body's features). With <paramref name="secondOrder"/>
    /// the update stays in the graph (MAML); otherwise the gradients are constants (first order).
    /// </summary>
    private Tensor[] InnerLoop(IReadOnlyList<Tensor> start, bool headOnly, Tensor supportX, Tensor supportY, int steps, bool secondOrder) =>
        InnerLoopSteps(start, headOnly, supportX, supportY, steps, secondOrder).LastOrDefault() ?? start.ToArray();

    /// <summary>The weights after each of the inner loop's steps, computed as they are enumerated (see <see cref="InnerLoop"/>).</summary>
    private IEnumerable<Tensor[]> InnerLoopSteps(IReadOnlyList<Tensor> start, bool headOnly, Tensor supportX, Tensor supportY, int steps, bool secondOrder)
    {
        Tensor[] fast = start.ToArray();
        Tensor[] rates = _learningRates.Length == 0 ? [] : (headOnly ? _learningRates[_headStart..] : _learningRates);
        for (int step = 0; step < steps; step++)
        {
            Tensor output = headOnly ? Head(supportX, fast) : Model.FunctionalLogits(supportX, fast, training: true);
            Tensor loss = Loss(output, supportY);

            // TorchSharp aborts natively when create_graph is set without retain_graph.
            IList<Tensor> gradients = autograd.grad([loss], fast, create_graph: secondOrder, retain_graph: secondOrder);
            for (int i = 0; i < fast.Length; i++)
            {
                Tensor gradient = secondOrder ? gradients[i] : gradients[i].detach();
                Tensor update = rates.Length > 0 ? rates[i].mul(gradient) : gradient.mul(Options.InnerLearningRate);
                fast[i] = fast[i].sub(update);
            }

            yield return fast.ToArray();
        }
    }

    /// <summary>Adapted weights for evaluation: first-order steps from detached weights (no graph to the meta-parameters is needed).</summary>
    private Tensor[] AdaptForEvaluation(Tensor supportX, Tensor supportY, int steps)
    {
        Tensor[] start = _weights.Select(w => w.detach().requires_grad_(true)).ToArray();
        if (Options.Algorithm == MetaAlgorithm.Anil)
        {
            Tensor features;
            using (no_grad())
            {
                features = Body(supportX, start);
            }

            Tensor[] head = InnerLoop(start[_headStart..], headOnly: true, features, supportY, steps, secondOrder: false);
            return [.. start[.._headStart], .. head];
        }

        return InnerLoop(start, headOnly: false, supportX, supportY, steps, secondOrder: false);
    }

    /// <summary>Evaluates on the first <paramref name="episodes"/> episodes of <paramref name="sampler"/>.</summary>
    private FewShotEvaluation Evaluate(EpisodeSampler sampler, int episodes, int innerSteps)
    {
        var accuracies = new double[episodes];
        var losses = new double[episodes];
        using var prefetched = new PrefetchingEpisodes(sampler, 0, Options.PrefetchDepth, episodes);
        for (int i = 0; i < episodes; i++)
        {
            using var scope = NewDisposeScope();
            using TaskTensors task = ClassificationTask(prefetched.Next());
            (losses[i], Tensor output) = QueryAfterAdaptation(task, innerSteps);
            accuracies[i] = Accuracy(output, task.QueryY);
        }

        return FewShotEvaluation.FromEpisodes(accuracies, losses);
    }

    /// <summary>Evaluates regression on <paramref name="episodes"/> tasks of stream <paramref name="seed"/>.</summary>
    private FewShotEvaluation EvaluateRegression(IRegressionTaskFamily tasks, int seed, int episodes, int innerSteps, int? shots = null, int? queries = null)
    {
        var accuracies = new double[episodes];
        var losses = new double[episodes];
        for (int i = 0; i < episodes; i++)
        {
            using var scope = NewDisposeScope();
            using TaskTensors task = RegressionTask(tasks, tasks.Episode(seed, i, shots ?? Options.Shots, queries ?? Options.Queries));
            (losses[i], _) = QueryAfterAdaptation(task, innerSteps);
            accuracies[i] = double.NaN;
        }

        return FewShotEvaluation.FromEpisodes(accuracies, losses);
    }

    /// <summary>The query loss and outputs after adapting on the support set; batch statistics as in training.</summary>
    private (double Loss, Tensor Output) QueryAfterAdaptation(TaskTensors task, int innerSteps)
    {
        Tensor[] adapted = AdaptForEvaluation(task.SupportX, task.SupportY, innerSteps);
        using (no_grad())
        {
            Tensor output = Model.FunctionalLogits(task.QueryX, adapted, training: true);
            return (Loss(output, task.QueryY).item<float>(), output);
        }
    }

    /// <summary>The body's features: every top-level layer before the head, on <paramref name="weights"/>.</summary>
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

    /// <summary>The head on <paramref name="features"/>, with <paramref name="headWeights"/> (the model's own when null).</summary>
    private Tensor Head(Tensor features, Tensor[]? headWeights)
    {
        var cursor = new ParameterCursor(headWeights ?? _weights[_headStart..]);
        foreach (Layer layer in _head)
        {
            features = layer.Forward(features, cursor, training: true);
        }

        cursor.EnsureConsumed();
        return features;
    }

    private Tensor Loss(Tensor output, Tensor target) => Options.Task == MetaTaskKind.Classification
        ? nn.functional.cross_entropy(output, target)
        : nn.functional.mse_loss(output, target);

    private double Accuracy(Tensor output, Tensor target) => Options.Task == MetaTaskKind.Classification
        ? output.argmax(1).eq(target).sum().item<long>() / (double)target.shape[0]
        : double.NaN;

    private TaskTensors ClassificationTask(Episode episode)
    {
        Device device = Model.Device;
        long[] Shape(int count) => [count, .. episode.SampleShape.Select(d => (long)d)];
        return new TaskTensors(
            tensor(episode.Support.ToArray(), Shape(episode.SupportCount), device: device),
            tensor(episode.SupportLabels.Select(l => (long)l).ToArray(), device: device),
            tensor(episode.Query.ToArray(), Shape(episode.QueryCount), device: device),
            tensor(episode.QueryLabels.Select(l => (long)l).ToArray(), device: device));
    }

    private TaskTensors RegressionTask(IRegressionTaskFamily tasks, RegressionEpisode episode)
    {
        Device device = Model.Device;
        long[] Shape(int count, IReadOnlyList<int> sample) => [count, .. sample.Select(d => (long)d)];
        return new TaskTensors(
            tensor(episode.SupportX, Shape(episode.SupportCount, tasks.InputShape), device: device),
            tensor(episode.SupportY, Shape(episode.SupportCount, tasks.OutputShape), device: device),
            tensor(episode.QueryX, Shape(episode.QueryCount, tasks.InputShape), device: device),
            tensor(episode.QueryY, Shape(episode.QueryCount, tasks.OutputShape), device: device));
    }

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

    /// <summary>The tensors of one task, on the model's device.</summary>
    private sealed record TaskTensors(Tensor SupportX, Tensor SupportY, Tensor QueryX, Tensor QueryY) : IDisposable
    {
        public void Dispose()
        {
            SupportX.Dispose();
            SupportY.Dispose();
            QueryX.Dispose();
            QueryY.Dispose();
        }
    }

    /// <summary>Every meta-parameter in one module: the model's and Meta-SGD's learning rates, for the optimizer and checkpoints.</summary>
    private sealed class MetaParameters : nn.Module
    {
        public MetaParameters(SequentialModel model, Parameter[] learningRates) : base("meta")
        {
            register_module("model", model);
            for (int i = 0; i < learningRates.Length; i++)
            {
                register_parameter($"inner_lr_{i}", learningRates[i]);
            }
        }
    }
}
