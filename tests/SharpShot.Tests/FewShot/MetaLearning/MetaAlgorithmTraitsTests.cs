using SharpShot.FewShot;
using SharpShot.Tests.Models;

namespace SharpShot.Tests.FewShot.MetaLearning;

/// <summary>The table of what each algorithm can do, which validation, the learner and the generator's checks read.</summary>
public class MetaAlgorithmTraitsTests
{
    [Fact]
    public void EveryAlgorithmHasExactlyOneRowAndAClass()
    {
        Assert.Equal(Enum.GetValues<MetaAlgorithm>(), MetaAlgorithmTraits.All.Select(t => t.Algorithm).Order());
        foreach (MetaAlgorithm algorithm in Enum.GetValues<MetaAlgorithm>())
        {
            MetaAlgorithmTraits traits = MetaAlgorithmTraits.Of(algorithm);
            var options = new MetaLearnerOptions { Algorithm = algorithm };
            SequentialModel model = traits.AdaptsWeights ? new TinyMetaClassifier(seed: 1) : new TinyEmbedding(seed: 1);
            using var learner = new MetaLearner(model, options);
            Assert.Equal(traits.DefaultMetaBatch, options.EffectiveMetaBatch);
            Assert.Equal(traits.DefaultLearningRateHalvingEvery, options.EffectiveLearningRateHalvingEvery);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => MetaAlgorithmTraits.Of((MetaAlgorithm)99));
    }

    [Fact]
    public void WhatAnAlgorithmCannotDoIsRefusedWithTheAlgorithmsThatCan()
    {
        var regression = Assert.Throws<ArgumentException>(() => new MetaLearnerOptions { Algorithm = MetaAlgorithm.ProtoNet, Task = MetaTaskKind.Regression }.Validate());
        Assert.Equal("Prototypical Networks cannot meta-train on regression tasks; these can: MAML, first-order MAML, Reptile, ANIL and Meta-SGD.", regression.Message);
        var unknown = Assert.Throws<ArgumentException>(() => new MetaLearnerOptions { Algorithm = (MetaAlgorithm)99 }.Validate());
        Assert.Equal("Algorithm must be a named MetaAlgorithm; got 99.", unknown.Message);
    }
}
