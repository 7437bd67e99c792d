using SharpShot;

namespace SharpShot.Deploy.Benchmarks;

/// <summary>The seed CNN: QuickStart's FashionCnn, declared the same way.</summary>
[Model(1, 28, 28)]
[Conv2d(32, 3), Relu, MaxPool2d(2), Flatten, Dense(64), Relu, Dense(10), Softmax]
public partial class SeedCnn;

/// <summary>One conv-4 block: 64 3×3 filters, batch norm, ReLU, 2×2 max pooling.</summary>
[Block]
[Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
public partial class ConvBlock;

/// <summary>The conv-4 few-shot embedding examples/FewShot meta-trains for Omniglot (576 values).</summary>
[Model(1, 28, 28)]
[Repeat(typeof(ConvBlock), 3), Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, Flatten]
public partial class Conv4Embedding;

/// <summary>The MAML conv-4 classifier examples/FewShot meta-trains for 5-way Omniglot: four blocks and a 5-way head.</summary>
[Model(1, 28, 28)]
[Repeat(typeof(ConvBlock), 4), Flatten, Dense(5)]
public partial class Conv4Learner;
