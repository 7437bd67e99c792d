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

    /// <summary>
    /// Composition: a stem, a Repeat of a block that itself holds a Residual without projection (nested blocks),
    /// a Residual with a projection (channels and size change), and a classifier head.
    /// </summary>
    public const string TinyResNet = """
        using SharpShot;

        namespace Demo.Composed;

        // Keeps (16, H, W): a residual branch needs no projection.
        [Block]
        [Conv2d(16, 3, PaddingMode = PaddingMode.Same), BatchNorm2d, Relu, Conv2d(16, 3, Padding = 1), BatchNorm2d]
        public partial class Basic;

        // A block made of blocks.
        [Block]
        [Residual(typeof(Basic)), Relu]
        public partial class Stage;

        // Halves the size and doubles the channels: its shortcut needs a (strided 1x1) projection.
        [Block]
        [Conv2d(32, 3, Stride = 2, Padding = 1), BatchNorm2d, Relu, Conv2d(32, 3, Padding = 1), BatchNorm2d]
        public partial class Down;

        [Model(1, 28, 28)]
        [Conv2d(16, 3, Padding = 1, Name = "stem"), Relu]
        [Repeat(typeof(Stage), 2)]
        [Residual(typeof(Down), Projection = true), Relu]
        [GlobalAvgPool2d, Dense(10), Softmax]
        public partial class TinyResNet;
        """;

    /// <summary>The design document's few-shot backbone: one block repeated four times, then Flatten.</summary>
    public const string OmniglotEmbedding = """
        using SharpShot;

        namespace Demo.FewShot;

        [Block]
        [Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
        public partial class ConvBlock;

        [Model(1, 28, 28)]
        [Repeat(typeof(ConvBlock), 4), Flatten]
        public partial class OmniglotEmbedding;
        """;

    /// <summary>[Use]: a classifier built on another model's layers, named, with a vector Residual projected by a dense layer.</summary>
    public const string UsedModel = """
        using SharpShot;

        namespace Demo.Reuse
        {
            [Model(1, 28, 28)]
            [Conv2d(8, 3), Relu, MaxPool2d(2), Flatten]
            public partial class Features;

            [Block]
            [Dense(32), Relu, Dense(16)]
            public partial class Head;

            [Model(1, 28, 28)]
            [Use(typeof(Features), Name = "features")]
            [Residual(typeof(Head), Projection = true, Name = "head"), Relu, Dense(10)]
            public partial class Classifier;
        }
        """;

    /// <summary>Most of the new layer kinds in one model: every option that changes the generated code.</summary>
    public const string LayerZoo = """
        using SharpShot;

        namespace Demo;

        [Model(3, 32, 32)]
        [Conv2d(16, 3, Stride = 2, PaddingMode = PaddingMode.Same), BatchNorm2d, LeakyRelu(Slope = 0.2)]
        [Conv2d(16, 3, Groups = 16, Dilation = 2, Padding = 2), Elu]
        [ConvTranspose2d(8, 4, Stride = 2, Padding = 1)]
        [AvgPool2d(2), MaxPool2d(3, Stride = 2, Padding = 1), Gelu]
        [Reshape(8, -1), Conv1d(12, 4, PaddingMode = PaddingMode.Same), BatchNorm1d(Momentum = 0.01), Silu]
        [Reshape(64, 12), LayerNorm(Epsilon = 1e-6), Lstm(20, ReturnSequences = true), Gru(10), Tanh]
        [Dense(6), Sigmoid, Dropout(0.1), Dense(4), LogSoftmax]
        public partial class LayerZoo;
        """;

    /// <summary>Token ids through an embedding, a GRU over the sequence and a normalized head.</summary>
    public const string TextClassifier = """
        using SharpShot;

        namespace Demo.Text;

        [Model(16)]
        [Embedding(1000, 32), Gru(24, ReturnSequences = true), Lstm(12), BatchNorm1d, Dense(2), Softmax]
        public partial class TextClassifier;
        """;

    /// <summary>A conv-4 Omniglot classifier meta-trained with MAML: [MetaLearner] adds MetaLearningDefaults and CreateMetaLearner.</summary>
    public const string OmniglotMaml = """
        using SharpShot;

        namespace Demo.Maml;

        [Block]
        [Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
        public partial class ConvBlock;

        [Model(1, 28, 28)]
        [Repeat(typeof(ConvBlock), 4), Flatten, Dense(5)]
        [MetaLearner(MetaAlgorithm.Maml, Ways = 5, InnerLearningRate = 0.4, MetaBatch = 32)]
        public partial class OmniglotMaml;
        """;

    /// <summary>Sinusoid regression with Meta-SGD and every [MetaLearner] setting written out.</summary>
    public const string SinusoidMetaSgd = """
        using SharpShot;

        namespace Demo.Maml;

        [Model(1)]
        [Dense(40), Relu, Dense(40), Relu, Dense(1)]
        [MetaLearner(MetaAlgorithm.MetaSgd, Task = MetaTaskKind.Regression, Ways = 2, Shots = 10, Queries = 12, InnerSteps = 2,
            EvaluationInnerSteps = 10, InnerLearningRate = 0.01, MetaBatch = 25, MetaLearningRate = 0.30000000000000004, Steps = 70_000, Seed = 7,
            MultiStepLoss = true, MultiStepLossWeights = new[] { 2.0, 0.5 })]
        public partial class SinusoidMetaSgd;
        """;
}
