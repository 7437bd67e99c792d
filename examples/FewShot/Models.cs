using SharpShot;

namespace FewShotExample;

/// <summary>One conv-4 block of the few-shot literature: 64 3×3 filters, batch norm, ReLU, 2×2 max pooling.</summary>
[Block]
[Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
public partial class ConvBlock;

/// <summary>
/// The conv-4 embedding of Prototypical Networks for 28×28 Omniglot: three blocks, then the fourth convolution
/// without its pooling → 3×3×64 = 576 values. A 2×2 pooling of the 3×3 map keeps only the maximum of its top-left
/// 2×2 corner; dropping it keeps the whole map at no extra cost and measured +1 point on 20-way tests (README.md).
/// </summary>
[Model(1, 28, 28)]
[MetaLearner(MetaAlgorithm.ProtoNet, Ways = 20, Shots = 1, Queries = 5)]
[Repeat(typeof(ConvBlock), 3), Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, Flatten]
public partial class OmniglotEmbedding;

/// <summary>The MAML conv-4 classifier for 5-way Omniglot episodes: four blocks and a 5-way head.</summary>
[Model(1, 28, 28)]
[MetaLearner(MetaAlgorithm.Maml, Ways = 5, Shots = 1, Queries = 15, InnerSteps = 1, EvaluationInnerSteps = 3, InnerLearningRate = 0.4, MetaBatch = 32)]
[Repeat(typeof(ConvBlock), 4), Flatten, Dense(5)]
public partial class OmniglotLearner5;

/// <summary>The MAML conv-4 classifier for 20-way Omniglot episodes.</summary>
[Model(1, 28, 28)]
[MetaLearner(MetaAlgorithm.Maml, Ways = 20, Shots = 1, Queries = 5, InnerSteps = 1, EvaluationInnerSteps = 3, InnerLearningRate = 0.1, MetaBatch = 16)]
[Repeat(typeof(ConvBlock), 4), Flatten, Dense(20)]
public partial class OmniglotLearner20;
