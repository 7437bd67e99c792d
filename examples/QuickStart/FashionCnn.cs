using SharpShot;

namespace QuickStart;

/// <summary>
/// The seed network, as the Keras original declares it: Conv2D(32, 3×3, relu) → MaxPooling2D(2×2) →
/// Flatten → Dense(64, relu) → Dense(10, softmax), Adam 1e-3, batch 32, 10 epochs.
/// </summary>
[Model(1, 28, 28)]
[Conv2d(32, 3), Relu, MaxPool2d(2), Flatten, Dense(64), Relu, Dense(10), Softmax]
[Train(Epochs = 10, BatchSize = 32, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3)]
public partial class FashionCnn;
