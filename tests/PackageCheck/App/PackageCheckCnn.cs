using SharpShot;

namespace PackageCheck;

/// <summary>A small CNN that none of the examples declare: 12×12 single-channel images, 3 classes.</summary>
[Model(1, 12, 12)]
[Conv2d(4, 3), Relu, MaxPool2d(2), Flatten, Dense(8), Relu, Dense(3), Softmax]
[Train(Epochs = 2, BatchSize = 16, Optimizer = OptimizerKind.Adam, LearningRate = 1e-2, Seed = 5)]
public partial class PackageCheckCnn;
