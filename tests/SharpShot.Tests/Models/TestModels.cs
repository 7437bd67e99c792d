using SharpShot;

// Networks declared the way a user would; the generator builds them when this project compiles.
namespace SharpShot.Tests.Models;

/// <summary>Every layer kind in one net, with stride, padding and overlapping pooling.</summary>
[Model(3, 11, 9)]
[Conv2d(4, 3, Stride = 2, Padding = 1), Relu, MaxPool2d(2, Stride = 1), Conv2d(6, 2), Flatten, Dense(7), Dropout(0.3), Relu, Dense(5), Softmax]
public partial class EveryLayerNet;

/// <summary>A net whose output is logits (no final Softmax).</summary>
[Model(2, 8, 8)]
[Conv2d(5, 3), MaxPool2d(3), Flatten, Dense(6)]
public partial class LogitsNet;

/// <summary>An MLP on flat input, SGD with momentum.</summary>
[Model(20)]
[Dense(16), Relu, Dropout(0.5), Dense(4), Softmax]
[Train(Epochs = 2, BatchSize = 16, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Seed = 7)]
public partial class SmallMlp;

/// <summary>A small CNN for the synthetic 28×28 images.</summary>
[Model(1, 28, 28)]
[Conv2d(8, 3), Relu, MaxPool2d(2), Flatten, Dense(32), Relu, Dense(10)]
[Train(Epochs = 1, BatchSize = 32, LearningRate = 3e-3, Seed = 3)]
public partial class TinyCnn;

// One model per layer kind, for the per-layer parity checks.
[Model(3, 10, 9)] [Conv2d(4, 3)] public partial class OnlyConv2d;
[Model(3, 10, 9)] [Conv2d(4, 5, Stride = 3, Padding = 2)] public partial class OnlyStridedConv2d;
[Model(3, 10, 9)] [MaxPool2d(2)] public partial class OnlyMaxPool2d;
[Model(3, 10, 9)] [MaxPool2d(3, Stride = 2)] public partial class OnlyOverlappingMaxPool2d;
[Model(2, 5, 3)] [Flatten] public partial class OnlyFlatten;
[Model(12)] [Dense(5)] public partial class OnlyDense;
[Model(3, 4, 4)] [Relu] public partial class OnlyRelu;
[Model(7)] [Softmax] public partial class OnlySoftmax;
[Model(2, 3, 3)] [Softmax] public partial class OnlySoftmaxOverLastAxis;
[Model(6)] [Dropout(0.5)] public partial class OnlyDropout;

// Composition and the wider layer set, as users combine them.
[Block] [Conv2d(6, 3, PaddingMode = PaddingMode.Same), BatchNorm2d, Relu] public partial class SameConvBlock;
[Block] [Conv2d(8, 3, Stride = 2, PaddingMode = PaddingMode.Same), BatchNorm2d, Relu] public partial class StridedBlock;

/// <summary>Repeat, Residual with and without projection, global pooling.</summary>
[Model(3, 9, 9)]
[Conv2d(6, 1), Repeat(typeof(SameConvBlock), 2), Residual(typeof(SameConvBlock)), Residual(typeof(StridedBlock), Projection = true), GlobalAvgPool2d, Dense(4)]
public partial class ComposedNet;

/// <summary>Token ids through an embedding, a GRU over all steps, layer norm and an LSTM.</summary>
[Model(12)]
[Embedding(30, 6), Gru(8, ReturnSequences = true), LayerNorm, Lstm(5), Dense(3), LogSoftmax]
public partial class RecurrentNet;

/// <summary>1-D convolution with dilation, reshape, and the remaining activations.</summary>
[Model(2, 16)]
[Conv1d(4, 3, Dilation = 2, PaddingMode = PaddingMode.Same), Elu, Reshape(8, -1), BatchNorm1d, Gelu, Flatten, Dense(5), Softmax]
public partial class SequenceConvNet;

/// <summary>Transposed convolution, average pooling and more activations.</summary>
[Model(2, 6, 6)]
[ConvTranspose2d(3, 3, Stride = 2, Padding = 1, OutputPadding = 1), AvgPool2d(2, Padding = 1), LeakyRelu(Slope = 0.2), Silu, Sigmoid, Flatten, BatchNorm1d, Dense(3)]
public partial class UpsamplingNet;

/// <summary>Embeds another declared model with [Use].</summary>
[Model(3, 9, 9)]
[Use(typeof(ComposedNet)), Tanh, Dense(2)]
public partial class UsesAnotherModel;

// Few-shot embeddings (ProtoNet): conv blocks with batch norm, ending in a flat embedding.
[Block] [Conv2d(16, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)] public partial class FewShotBlock;

/// <summary>A small embedding for 1×8×8 images: two conv blocks → 16×2×2 = 64 values.</summary>
[Model(1, 8, 8)]
[Repeat(typeof(FewShotBlock), 2), Flatten]
public partial class TinyEmbedding;

[Block] [Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)] public partial class ConvFourBlock;

/// <summary>The conv-4 embedding of the ProtoNet paper for 28×28 Omniglot: four 64-filter blocks → 64 values.</summary>
[Model(1, 28, 28)]
[Repeat(typeof(ConvFourBlock), 4), Flatten]
public partial class ConvFourEmbedding;

// Meta-learners (MAML family): a tiny classifier over 1×8×8 blobs with a 5-way head, and a sinusoid regressor.
/// <summary>A small 5-way MAML classifier for 1×8×8 images: two conv blocks, then the head.</summary>
[Model(1, 8, 8)]
[Repeat(typeof(FewShotBlock), 2), Flatten, Dense(5)]
public partial class TinyMetaClassifier;

/// <summary>A small regressor of one input to one output with a smooth activation, so second-order terms matter.</summary>
[Model(1)]
[Dense(8), Tanh, Dense(8), Tanh, Dense(1)]
public partial class TinyRegressor;
