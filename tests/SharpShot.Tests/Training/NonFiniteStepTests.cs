using SharpShot.Data;
using SharpShot.Tests.Models;
using SharpShot.Training;
using static TorchSharp.torch;

namespace SharpShot.Tests.Training;

/// <summary>
/// A NaN or an infinity in the loss or the gradients of step k is caught before the optimizer step: training stops with
/// the weights of step k − 1, bit for bit, or (NonFiniteSteps = Skip) leaves them so and goes on, counting the step.
/// </summary>
[Collection(DeterministicTrainingCollection.Name)]
public class NonFiniteStepTests
{
    [Fact]
    public void ANaNSampleStopsFitBeforeItsStepWithTheWeightsOfTheStepBefore()
    {
        Dataset data = Poisoned();
        var model = new SmallMlp(seed: 4);
        var after = new Dictionary<int, float[]> { [0] = TrainerTests.Weights(model) };
        var error = Assert.Throws<TrainingDivergedException>(() =>
            model.Fit(data, progress: p => after[p.Batch] = TrainerTests.Weights(model), options: model.TrainingDefaults with { Epochs = 1 }));

        Assert.True(double.IsNaN(error.Loss));
        Assert.Null(error.Parameter);
        Assert.Contains($"epoch 1, batch {error.Batch}", error.Message);
        Assert.Equal(after[error.Batch - 1], TrainerTests.Weights(model));
    }

    [Fact]
    public void ADivergingLearningRateStopsAtTheFirstNonFiniteStepWithFiniteWeights()
    {
        var model = new SmallMlp(seed: 4);
        var after = new Dictionary<int, float[]> { [0] = TrainerTests.Weights(model) };
        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(TrainerTests.VectorData(160),
            progress: p => after[p.Batch] = TrainerTests.Weights(model), options: model.TrainingDefaults with { Epochs = 1, LearningRate = 1e30, Momentum = 0 }));

        Assert.True(error.Batch > 1, $"diverged at batch {error.Batch}");
        float[] weights = TrainerTests.Weights(model);
        Assert.Equal(after[error.Batch - 1], weights);
        Assert.All(weights, w => Assert.True(float.IsFinite(w)));
    }

    [Fact]
    public void SkippedStepsLeaveTheWeightsAsTheyWereAndAreCounted()
    {
        Dataset data = Poisoned();
        var model = new SmallMlp(seed: 4);
        var after = new List<float[]> { TrainerTests.Weights(model) }; // after each step, in order (every batch reports here)
        TrainingHistory history = model.Fit(data, progress: p => after.Add(TrainerTests.Weights(model)),
            options: model.TrainingDefaults with { Epochs = 2, NonFiniteSteps = NonFiniteSteps.Skip });

        // The poisoned sample is in one batch of each epoch: two steps skipped, each leaving the weights bit for bit.
        Assert.Equal(2, history.SkippedSteps);
        Assert.Equal([1, 1], history.Epochs.Select(e => e.SkippedSteps));
        Assert.Equal(2, Enumerable.Range(1, after.Count - 1).Count(i => after[i].SequenceEqual(after[i - 1])));
        Assert.All(TrainerTests.Weights(model), w => Assert.True(float.IsFinite(w)));
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
    }

    [Fact]
    public void TrainAndMetaLearnerAttributesSetTheChoice()
    {
        Assert.Equal(NonFiniteSteps.Stop, new SmallMlp(seed: 4).TrainingDefaults.NonFiniteSteps);
        Assert.Equal(NonFiniteSteps.Skip, new SkipOnNaNMetaModel(seed: 4).MetaLearningDefaults.NonFiniteSteps);

        // Declared Skip: Fit with the model's own defaults skips the poisoned step instead of stopping.
        var model = new SkipOnNaNMlp(seed: 4);
        Assert.Equal(NonFiniteSteps.Skip, model.TrainingDefaults.NonFiniteSteps);
        TrainingHistory history = model.Fit(Poisoned(), options: model.TrainingDefaults with { Epochs = 1 });
        Assert.Equal(1, history.SkippedSteps);
    }

    [Fact]
    public void TheGradientCheckNamesTheFirstParameterWithANonFiniteGradient()
    {
        var model = new SmallMlp(seed: 1);
        Assert.Null(NonFiniteGradients.First(model.named_parameters())); // no gradients yet
        using var scope = NewDisposeScope();
        model.Logits(ones(2, 20)).sum().backward();
        Assert.Null(NonFiniteGradients.First(model.named_parameters()));

        (string name, TorchSharp.Modules.Parameter parameter) = model.named_parameters().ElementAt(2);
        using (no_grad())
        {
            parameter.grad!.div_(zeros_like(parameter.grad!)); // x / 0: infinities, and NaN where x is 0
        }

        Assert.Equal(name, NonFiniteGradients.First(model.named_parameters()));
    }

    /// <summary>The vector data with one sample's feature NaN.</summary>
    private static Dataset Poisoned()
    {
        Dataset data = TrainerTests.VectorData(160);
        data.Features[(37 * 20) + 3] = float.NaN;
        return data;
    }
}

/// <summary>SmallMlp's layers with [Train(NonFiniteSteps = Skip)].</summary>
[Model(20)]
[Dense(16), Relu, Dropout(0.5), Dense(4), Softmax]
[Train(Epochs = 2, BatchSize = 16, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Seed = 7, NonFiniteSteps = NonFiniteSteps.Skip)]
public partial class SkipOnNaNMlp;

/// <summary>A meta-learner declaration with [MetaLearner(NonFiniteSteps = Skip)].</summary>
[Model(4)]
[Dense(3)]
[MetaLearner(MetaAlgorithm.Maml, Ways = 3, NonFiniteSteps = NonFiniteSteps.Skip)]
public partial class SkipOnNaNMetaModel;
