using SharpShot;

namespace SinusoidExample;

/// <summary>The regressor of Finn et al. (2017): two hidden layers of 40 ReLU units, meta-trained with MAML on K = 10 points.</summary>
[Model(1)]
[MetaLearner(MetaAlgorithm.Maml, Task = MetaTaskKind.Regression, Shots = 10, Queries = 10, InnerSteps = 1, InnerLearningRate = 0.01, MetaBatch = 25, MetaLearningRate = 0.001)]
[Dense(40), Relu, Dense(40), Relu, Dense(1)]
public partial class SinusoidNet;
