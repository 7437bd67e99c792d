namespace SharpShot.Generators.Tests;

/// <summary>Model declarations shared by the tests.</summary>
internal static class TestModels
{
    /// <summary>The seed network of the design document.</summary>
    public const string FashionCnn = """
        using SharpShot;

        namespace Demo;

        // The seed network: Keras Sequential Conv2D(32,3x3,relu) → MaxPool(2) → Flatten → Dense(64,relu) → Dense(10)
        [Model(1, 28, 28)]
        [Conv2d(32, 3), Relu, MaxPool2d(2), Flatten, Dense(64), Relu, Dense(10)]
        [Train(Epochs = 10, BatchSize = 32, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3)]
        public partial class FashionCnn;
        """;

    /// <summary>An MLP over flat input, with dropout, a final Softmax and SGD training values.</summary>
    public const string DigitsMlp = """
        using SharpShot;

        namespace Demo.Mlp
        {
            [Model(784)]
            [Dense(128), Relu, Dropout(0.2), Dense(10), Softmax]
            [Train(Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, Momentum = 0.9, Epochs = 5, BatchSize = 64, Seed = 7)]
            internal partial class DigitsMlp
            {
            }
        }
        """;

    /// <summary>Strided, padded convolution, overlapping pooling and named layers; no [Train].</summary>
    public const string StridedCnn = """
        using SharpShot;

        namespace Demo;

        [Model(3, 32, 32)]
        [Conv2d(16, 5, Stride = 2, Padding = 2, Name = "stem"), Relu]
        [MaxPool2d(3, Stride = 2), Flatten, Dense(10, Name = "classifier")]
        public partial class StridedCnn;
        """;

    /// <summary>A model nested in a class and a struct inside a block namespace.</summary>
    public const string NestedModel = """
        namespace Company.Vision
        {
            using SharpShot;

            public partial class Zoo
            {
                internal partial struct Shelf
                {
                    [Model(1, 8, 8)]
                    [Flatten, Dense(4), Softmax]
                    private partial class TinyNet
                    {
                    }
                }
            }
        }
        """;

    /// <summary>No layer with weights, so the constructor's LayerInit goes unused.</summary>
    public const string ParameterFree = """
        using SharpShot;

        [Model(3, 4, 4)]
        [MaxPool2d(2), Flatten, Relu]
        public partial class ParameterFree;
        """;

    /// <summary>Only a Softmax: Logits is the identity.</summary>
    public const string SoftmaxOnly = """
        using SharpShot;

        [Model(10)]
        [Softmax]
        public partial class SoftmaxOnly;
        """;
}
