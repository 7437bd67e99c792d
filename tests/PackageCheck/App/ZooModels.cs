using SharpShot;

namespace PackageCheck;

// The model families the model-language issue names, declared as a user would against the packages.

/// <summary>A residual unit that keeps the shape.</summary>
[Block]
[Conv2d(8, 3, PaddingMode = PaddingMode.Same), BatchNorm2d, Relu, Conv2d(8, 3, PaddingMode = PaddingMode.Same), BatchNorm2d]
public partial class ResidualUnit;

/// <summary>A CNN with batch norm and residual blocks, one with a strided projection.</summary>
[Model(1, 12, 12)]
[Conv2d(8, 3, Padding = 1), BatchNorm2d, Relu, Residual(typeof(ResidualUnit)), Relu]
[Residual(typeof(DownUnit), Projection = true), Relu, GlobalAvgPool2d, Dense(3), Softmax]
[Train(Epochs = 2, BatchSize = 16, LearningRate = 1e-2, Seed = 3)]
public partial class ResidualCnn;

/// <summary>Halves the resolution and doubles the channels: the residual around it needs a projection.</summary>
[Block]
[Conv2d(16, 3, Stride = 2, PaddingMode = PaddingMode.Same), BatchNorm2d, Relu, Conv2d(16, 3, PaddingMode = PaddingMode.Same), BatchNorm2d]
public partial class DownUnit;

/// <summary>An MLP over flattened images with layer norm, GELU and dropout.</summary>
[Model(1, 12, 12)]
[Flatten, Dense(32), LayerNorm, Gelu, Dropout(0.2), Dense(16), Tanh, Dense(3)]
[Train(Epochs = 3, BatchSize = 16, LearningRate = 3e-3, Seed = 4)]
public partial class ImageMlp;

/// <summary>An LSTM text classifier over sequences of 10 token ids.</summary>
[Model(10)]
[Embedding(20, 8), Lstm(16), Dense(2), Softmax]
[Train(Epochs = 3, BatchSize = 16, LearningRate = 1e-2, Seed = 6)]
public partial class LstmTextClassifier;
