using SharpShot.Tests.Layers;
using static SharpShot.Tests.Layers.Reference;

namespace SharpShot.Tests.Models;

/// <summary>A test model and its independent reference: the per-layer references composed as the model is declared.</summary>
/// <param name="Create">Makes the model.</param>
/// <param name="Logits">Every layer but a final Softmax; batch norm layers read their buffers by state-dict path.</param>
/// <param name="Probabilities">True when a final Softmax follows the logits.</param>
/// <param name="HasBatchNorm">True when training mode (batch statistics) computes something else than eval mode.</param>
/// <param name="HasDropout">True when training mode is random (dropout), so only eval mode and the export have a reference.</param>
internal sealed record ModelReference(Func<SequentialModel> Create, ReferenceLayer Logits, bool Probabilities, bool HasBatchNorm = false, bool HasDropout = false)
{
    /// <summary>What <c>forward</c> computes: the logits, then the final Softmax if there is one.</summary>
    public ReferenceLayer Output => Probabilities ? Chain(Logits, Softmax()) : Logits;
}

/// <summary>
/// The multi-layer test models with their references, written from their declarations in <c>TestModels.cs</c> (and the
/// documented layer names), not from the generated code: the functional forward and the export of whole models are
/// compared with these on weights that are not the models' own.
/// </summary>
internal static class ModelReferences
{
    public static readonly IReadOnlyDictionary<string, ModelReference> All = new Dictionary<string, ModelReference>
    {
        [nameof(EveryLayerNet)] = new(() => new EveryLayerNet(), Chain(
            Conv2d(stride: 2, padding: Pad(1)), Relu(), MaxPool2d(2, 1), Conv2d(), Flatten(), Dense(), Dropout(), Relu(), Dense()),
            Probabilities: true, HasDropout: true),
        [nameof(LogitsNet)] = new(() => new LogitsNet(), Chain(Conv2d(), MaxPool2d(3, 3), Flatten(), Dense()), Probabilities: false),
        [nameof(SmallMlp)] = new(() => new SmallMlp(), Chain(Dense(), Relu(), Dropout(), Dense()), Probabilities: true, HasDropout: true),
        [nameof(TinyCnn)] = new(() => new TinyCnn(), Chain(Conv2d(), Relu(), MaxPool2d(2, 2), Flatten(), Dense(), Relu(), Dense()), Probabilities: false),
        [nameof(ComposedNet)] = new(() => new ComposedNet(), ComposedNet(""), Probabilities: false, HasBatchNorm: true),
        [nameof(UsesAnotherModel)] = new(() => new UsesAnotherModel(), Chain(ComposedNet("composednet_1."), Tanh(), Dense()), Probabilities: false, HasBatchNorm: true),
        [nameof(RecurrentNet)] = new(() => new RecurrentNet(), Chain(
            Embedding(30), Gru(returnSequences: true), LayerNorm(), Lstm(returnSequences: false), Dense(), LogSoftmax()), Probabilities: false),
        [nameof(SequenceConvNet)] = new(() => new SequenceConvNet(), Chain(
            Conv1d(padStart: 2, padEnd: 2, dilation: 2), Elu(1.0), Reshape(8, 8), BatchNorm("batchnorm1d_4"), Gelu(), Flatten(), Dense()),
            Probabilities: true, HasBatchNorm: true),
        [nameof(UpsamplingNet)] = new(() => new UpsamplingNet(), Chain(
            ConvTranspose2d(stride: 2, padding: 1, outputPadding: 1), AvgPool2d(2, 2, 1), LeakyRelu(0.2), Silu(), Sigmoid(), Flatten(),
            BatchNorm("batchnorm1d_7"), Dense()),
            Probabilities: false, HasBatchNorm: true),
        [nameof(TinyMetaClassifier)] = new(() => new TinyMetaClassifier(), Chain(
            FewShotBlock("fewshotblock_1_1"), FewShotBlock("fewshotblock_1_2"), Flatten(), Dense()), Probabilities: false, HasBatchNorm: true),
        [nameof(TinyRegressor)] = new(() => new TinyRegressor(), Chain(Dense(), Tanh(), Dense(), Tanh(), Dense()), Probabilities: false),
    };

    /// <summary>
    /// ComposedNet's layers, with <paramref name="prefix"/> in front of their paths: Conv2d(6, 1), two SameConvBlocks,
    /// a residual SameConvBlock, a residual StridedBlock with its 1×1 stride-2 projection, global pooling, Dense(4).
    /// </summary>
    private static ReferenceLayer ComposedNet(string prefix) => Chain(
        Conv2d(),
        SameConvBlock($"{prefix}sameconvblock_2_1."),
        SameConvBlock($"{prefix}sameconvblock_2_2."),
        Residual(SameConvBlock($"{prefix}residual_3.body.")),
        Residual(Chain(Conv2d(stride: 2, padding: Pad(1)), BatchNorm($"{prefix}residual_4.body.batchnorm2d_2"), Relu()), projection: Conv2d(stride: 2)),
        GlobalAvgPool2d(),
        Dense());

    /// <summary>Conv2d(6, 3, "same" = padding 1), BatchNorm2d, Relu.</summary>
    private static ReferenceLayer SameConvBlock(string path) => Chain(Conv2d(padding: Pad(1)), BatchNorm($"{path}batchnorm2d_2"), Relu());

    /// <summary>Conv2d(16, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2).</summary>
    private static ReferenceLayer FewShotBlock(string path) => Chain(Conv2d(padding: Pad(1)), BatchNorm($"{path}.batchnorm2d_2"), Relu(), MaxPool2d(2, 2));
}
