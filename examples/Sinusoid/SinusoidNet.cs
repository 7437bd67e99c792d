using SharpShot;

namespace SinusoidExample;

/// <summary>
/// The regressor of Finn et al. (2017): two hidden layers of 40 ReLU units, meta-trained with MAML on K = 10 points.
/// Unlike the paper's single inner step, it meta-trains on the query losses after each of 3 inner steps, weighted
/// 4 : 1 : 1 (half the weight on the first, half spread over all three): fine-tuning then stays stable over the 5 and
/// 10 steps the paper reports, where one-step training overshoots on some tasks (README.md).
/// </summary>
[Model(1)]
[MetaLearner(MetaAlgorithm.Maml, Task = MetaTaskKind.Regression, Shots = 10, Queries = 10, InnerSteps = 3, InnerLearningRate = 0.01, MetaBatch = 25,
    MetaLearningRate = 0.001, MultiStepLoss = true, MultiStepLossWeights = new[] { 4.0, 1, 1 })]
[Dense(40), Relu, Dense(40), Relu, Dense(1)]
public partial class SinusoidNet;
