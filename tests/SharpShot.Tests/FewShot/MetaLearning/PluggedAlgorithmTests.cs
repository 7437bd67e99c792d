using SharpShot.FewShot;
using SharpShot.Tests.Models;
using SharpShot.Tests.Training;
using SharpShot.Training;
using static TorchSharp.torch;

namespace SharpShot.Tests.FewShot.MetaLearning;

/// <summary>
/// A new algorithm added the way docs/architecture.md says — one subclass of <see cref="MetaLearningAlgorithm"/>, no
/// change to the learner — gets meta-training, validation, checkpoints, evaluation and export from the shared loops.
/// (A real one is also registered in <c>MetaLearningAlgorithm.Create</c> and given a row in <c>MetaAlgorithmTraits</c>;
/// here the learner's internal constructor plugs it in.)
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class PluggedAlgorithmTests
{
    private static readonly SinusoidTasks Sinusoids = new();

    private static readonly MetaLearnerOptions Settings = new()
    {
        Algorithm = MetaAlgorithm.Maml, // what the options are validated as; the plugged class does the work
        Task = MetaTaskKind.Regression,
        Shots = 5,
        Queries = 10,
        MetaBatch = 4,
        Steps = 40,
        LearningRate = 1e-2,
        ValidationEvery = 20,
        ValidationEpisodes = 10,
        CheckpointEvery = 10,
        Seed = 2,
    };

    [Fact]
    public void ThePluggedAlgorithmTrainsThroughTheSharedLoopsAndResumesBitForBit()
    {
        using var temp = new TempFolder();
        var unbroken = new TinyRegressor(seed: 1);
        MetaTrainingHistory full;
        FewShotEvaluation before, after;
        using (var learner = Plugged(unbroken, Settings))
        {
            before = learner.Evaluate(Sinusoids, episodes: 50, seed: 9);
            full = learner.MetaTrain(Sinusoids);
            after = learner.Evaluate(Sinusoids, episodes: 50, seed: 9);
        }

        // Joint training on the queries learns the mean task (≈ 0): better than the random start, whatever the task.
        Assert.True(after.Loss < before.Loss, $"query MSE {before.Loss:F3} → {after.Loss:F3}");
        Assert.Equal(new[] { 20, 40 }, full.Validations.Select(v => v.Step));

        string checkpoint = temp.File("plugged.ckpt");
        using var crash = new CancellationTokenSource();
        var interrupted = new TinyRegressor(seed: 1);
        using (var learner = Plugged(interrupted, Settings with { CheckpointPath = checkpoint, ProgressEvery = 1 }))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => learner.MetaTrain(Sinusoids, p => { if (p.Step == 23) crash.Cancel(); }, crash.Token));
        }

        var resumed = new TinyRegressor(seed: 7);
        using (var learner = Plugged(resumed, Settings with { CheckpointPath = checkpoint }))
        {
            MetaTrainingHistory rest = learner.MetaTrain(Sinusoids);
            Assert.Equal(23, rest.ResumedAt);
            Assert.Equal(full.Validations, rest.Validations);
        }

        Assert.Equal(Values(unbroken), Values(resumed));

        // The algorithm's settings are part of the run's identity: a checkpoint of MAML on the same options is refused.
        using var maml = new MetaLearner(new TinyRegressor(seed: 1), Settings with { CheckpointPath = checkpoint });
        var refused = Assert.Throws<CheckpointMismatchException>(() => maml.MetaTrain(Sinusoids));
        Assert.Contains("no adaptation", refused.Message);
    }

    private static MetaLearner Plugged(SequentialModel model, MetaLearnerOptions options) =>
        new(model, options, (m, o) => new NoAdaptation(m, o));

    private static float[] Values(SequentialModel model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().SelectMany(p => p.detach().contiguous().data<float>().ToArray()).ToArray();
    }

    /// <summary>
    /// The "joint training" baseline of the few-shot literature: the network is trained on every task's queries as one
    /// data set and predicts without adapting. Its whole definition is this class.
    /// </summary>
    private sealed class NoAdaptation(SequentialModel model, MetaLearnerOptions options) : MetaLearningAlgorithm(model, options)
    {
        public override nn.Module State => Model;

        public override string Settings => "no adaptation";

        public override TaskLoss TrainingLoss(TaskTensors task)
        {
            Tensor output = Model.Logits(task.QueryX);
            return new TaskLoss(Loss(output, task.QueryY), output);
        }

        public override (double Loss, Tensor Output) Evaluate(TaskTensors task, int innerSteps)
        {
            using (no_grad())
            {
                Tensor output = Model.Logits(task.QueryX);
                return (Loss(output, task.QueryY).item<float>(), output);
            }
        }

        public override Tensor[] Adapt(Tensor supportX, Tensor supportY, int steps) =>
            Model.FunctionalParameters().Select(w => w.detach()).ToArray();
    }
}
