using SharpShot.FewShot;
using SharpShot.Tests.Models;
using SharpShot.Tests.Training;
using SharpShot.Training;
using static TorchSharp.torch;

namespace SharpShot.Tests.FewShot.MetaLearning;

/// <summary>
/// Meta-training catches a NaN or an infinity in a task's loss or in the meta-gradient before the outer step: it stops
/// with the weights of the step before, bit for bit, or skips the step and counts it.
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class MetaNonFiniteStepTests
{
    private const int PoisonedStep = 6;

    private static readonly MetaLearnerOptions Options = new()
    {
        Algorithm = MetaAlgorithm.Maml,
        Task = MetaTaskKind.Regression,
        Shots = 5,
        Queries = 10,
        MetaBatch = 2,
        Steps = 10,
        LearningRate = 1e-2,
        ValidationEvery = 100,
        ValidationEpisodes = 2,
        ProgressEvery = 1,
        Seed = 2,
    };

    [Fact]
    public void ANaNTaskStopsMetaTrainingBeforeItsStepWithTheWeightsOfTheStepBefore()
    {
        var model = new TinyRegressor(seed: 1);
        var after = new Dictionary<int, float[]> { [0] = TrainerTests.Weights(model) };
        using var learner = new MetaLearner(model, Options);
        var error = Assert.Throws<TrainingDivergedException>(() => learner.MetaTrain(new PoisonedSinusoids(Options.Seed), p => after[p.Step] = TrainerTests.Weights(model)));

        Assert.Equal(PoisonedStep, error.Batch);
        Assert.Contains($"meta-training step {PoisonedStep}", error.Message);
        Assert.True(double.IsNaN(error.Loss));
        Assert.Equal(after[PoisonedStep - 1], TrainerTests.Weights(model));
    }

    [Fact]
    public void ASkippedStepLeavesTheWeightsAndIsCounted()
    {
        var model = new TinyRegressor(seed: 1);
        var after = new Dictionary<int, float[]>();
        using var learner = new MetaLearner(model, Options with { NonFiniteSteps = NonFiniteSteps.Skip });
        MetaTrainingHistory history = learner.MetaTrain(new PoisonedSinusoids(Options.Seed), p => after[p.Step] = TrainerTests.Weights(model));

        Assert.Equal(1, history.SkippedSteps);
        Assert.Equal(Options.Steps, history.Steps);
        Assert.Equal(after[PoisonedStep - 1], after[PoisonedStep]);
        Assert.NotEqual(after[PoisonedStep], after[PoisonedStep + 1]);
        Assert.True(double.IsFinite(history.Loss));
    }

    [Fact]
    public void ANonFiniteGradientWithAFiniteLossStopsNamingTheParameter()
    {
        var model = new TinyRegressor(seed: 1);
        var after = new Dictionary<int, float[]> { [0] = TrainerTests.Weights(model) };
        string poisoned = model.named_parameters().ElementAt(2).name;
        using var learner = new MetaLearner(model, Options with { MetaBatch = 1 }, (m, o) => new GradientPoisoning(m, o, PoisonedStep));
        var error = Assert.Throws<TrainingDivergedException>(() => learner.MetaTrain(new SinusoidTasks(), p => after[p.Step] = TrainerTests.Weights(model)));

        Assert.Equal(PoisonedStep, error.Batch);
        Assert.Equal(poisoned, error.Parameter);
        Assert.True(double.IsFinite(error.Loss));
        Assert.Contains($"'{poisoned}'", error.Message);
        Assert.Equal(after[PoisonedStep - 1], TrainerTests.Weights(model));
    }

    /// <summary>Sinusoids whose first training task of <see cref="PoisonedStep"/> has NaN targets.</summary>
    private sealed class PoisonedSinusoids(int trainingSeed) : IRegressionTaskFamily
    {
        private readonly SinusoidTasks _tasks = new();

        public IReadOnlyList<int> InputShape => _tasks.InputShape;

        public IReadOnlyList<int> OutputShape => _tasks.OutputShape;

        public RegressionEpisode Episode(int seed, long index, int supportCount, int queryCount)
        {
            RegressionEpisode episode = _tasks.Episode(seed, index, supportCount, queryCount);
            return seed == trainingSeed && index == (PoisonedStep - 1) * Options.MetaBatch!.Value
                ? new RegressionEpisode(episode.SupportX, episode.SupportY, episode.QueryX, episode.QueryY.Select(_ => float.NaN).ToArray())
                : episode;
        }
    }

    /// <summary>Joint training whose gradient of the third parameter becomes infinite on one step, with a finite loss.</summary>
    private sealed class GradientPoisoning(SequentialModel model, MetaLearnerOptions options, int poisonedStep) : MetaLearningAlgorithm(model, options)
    {
        private int _steps;

        public override nn.Module State => Model;

        public override string Settings => "gradient poisoning";

        public override TaskLoss TrainingLoss(TaskTensors task)
        {
            Tensor output = Model.Logits(task.QueryX);
            return new TaskLoss(Loss(output, task.QueryY), output);
        }

        public override void Backward(TaskLoss loss, int tasks)
        {
            base.Backward(loss, tasks);
            if (++_steps == poisonedStep)
            {
                Tensor gradient = Model.named_parameters().ElementAt(2).parameter.grad!;
                using (no_grad())
                {
                    gradient.div_(zeros_like(gradient));
                }
            }
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
