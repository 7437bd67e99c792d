using SharpShot.Layers;
using static SharpShot.Tests.Layers.Reference;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// Every layer kind in its interesting configurations, run through <see cref="LayerContract"/>, and the checks shared
/// by several kinds: second-order gradients through explicit parameters, and convolutions' float32 input gradients.
/// </summary>
public class LayerContractTests
{
    // Max pooling sees only negative values: zero padding instead of −∞ padding would win at the border.
    private static readonly Func<long[], int, Tensor> NegativeValues = (shape, seed) => LayerContract.Uniform(seed, shape, -5, -1);

    // Whole negative numbers: most windows hold their maximum more than once, and the gradient must go to the first (as LibTorch's).
    private static readonly Func<long[], int, Tensor> TiedValues = (shape, seed) => LayerContract.Uniform(seed, shape, -3.49, -0.51).round();

    // Whole numbers of both signs: windows tied at a positive maximum, and windows of zeros after ReLU.
    private static readonly Func<long[], int, Tensor> TiedValuesOfBothSigns = (shape, seed) => LayerContract.Uniform(seed, shape, -2.49, 2.49).round();

    private static readonly LayerCase[] Convolutions =
    [
        LayerCase.Declared(() => new Conv1dValid(), Conv1d()),
        LayerCase.Declared(() => new Conv1dStride2Pad1(), Conv1d(stride: 2, padStart: 1, padEnd: 1)),
        LayerCase.Declared(() => new Conv1dSameEvenKernel(), Conv1d(padStart: 1, padEnd: 2)),
        LayerCase.Declared(() => new Conv1dSameStride2(), Conv1d(stride: 2, padStart: 0, padEnd: 1)),
        LayerCase.Declared(() => new Conv1dDilation3(), Conv1d(padStart: 3, padEnd: 3, dilation: 3)),
        LayerCase.Declared(() => new Conv1dGroups2(), Conv1d(padStart: 2, padEnd: 2, groups: 2)),
        LayerCase.Declared(() => new Conv1dDepthwise(), Conv1d(padStart: 1, padEnd: 1, groups: 4)),

        LayerCase.Declared(() => new Conv2dValid(), Conv2d()),
        LayerCase.Declared(() => new Conv2dStride2Pad1(), Conv2d(stride: 2, padding: Pad(1))),
        LayerCase.Declared(() => new Conv2dSameEvenKernel(), Conv2d(padding: (1, 2, 1, 2))),
        LayerCase.Declared(() => new Conv2dSameStride2(), Conv2d(stride: 2, padding: (0, 1, 0, 1))),
        LayerCase.Declared(() => new Conv2dDilation2(), Conv2d(padding: Pad(2), dilation: 2)),
        LayerCase.Declared(() => new Conv2dGroups2(), Conv2d(padding: Pad(1), groups: 2)),
        LayerCase.Declared(() => new Conv2dDepthwise(), Conv2d(padding: Pad(1), groups: 4)),
        LayerCase.Declared(() => new Conv2dDepthwiseX2Stride2Same(), Conv2d(stride: 2, padding: (0, 1, 0, 1), groups: 3)),
        LayerCase.Declared(() => new Conv2dRoutedPad1(), Conv2d(padding: Pad(1))),
        LayerCase.Declared(() => new Conv2dRoutedSameEvenKernel(), Conv2d(padding: (1, 2, 1, 2))),

        // Every side padded differently, top more than bottom: no declaration gives this ("same" pads the end more).
        LayerCase.Constructed("Conv2dAsymmetricMixed", () => Conv2dWithPadding(2, 3, new Padding2d(2, 0, 1, 3)), [2, 6, 7], Conv2d(padding: (2, 0, 1, 3))),
        LayerCase.Constructed("Conv2dRoutedAsymmetricMixed", () => Conv2dWithPadding(16, 3, new Padding2d(2, 0, 1, 3)), [16, 6, 7], Conv2d(padding: (2, 0, 1, 3))),

        LayerCase.Declared(() => new ConvTranspose2dStride1(), ConvTranspose2d()),
        LayerCase.Declared(() => new ConvTranspose2dStride2Pad1OutPad1(), ConvTranspose2d(stride: 2, padding: 1, outputPadding: 1)),
        LayerCase.Declared(() => new ConvTranspose2dUpsampleK4(), ConvTranspose2d(stride: 2, padding: 1)),
        LayerCase.Declared(() => new ConvTranspose2dK2S2(), ConvTranspose2d(stride: 2)),
        LayerCase.Declared(() => new ConvTranspose2dK5S3P2OutPad2(), ConvTranspose2d(stride: 3, padding: 2, outputPadding: 2)),
    ];

    private static readonly LayerCase[] Others =
    [
        LayerCase.Declared(() => new DenseNarrowing(), Dense()),
        LayerCase.Declared(() => new DenseWidening(), Dense()),

        LayerCase.Declared(() => new MaxPool2dK2(), MaxPool2d(2, 2)).WithInput(NegativeValues),
        LayerCase.Declared(() => new MaxPool2dK3S2P1(), MaxPool2d(3, 2, 1)).WithInput(NegativeValues),
        LayerCase.Declared(() => new MaxPool2dK3S1P1(), MaxPool2d(3, 1, 1)).WithInput(NegativeValues),
        LayerCase.Declared(() => new MaxPool2dK2P1(), MaxPool2d(2, 2, 1)).WithInput(NegativeValues),
        LayerCase.Declared(() => new MaxPool2dK4S3P2(), MaxPool2d(4, 3, 2)).WithInput(NegativeValues),
        LayerCase.Declared(() => new MaxPool2dK3(), MaxPool2d(3, 3)).WithInput(NegativeValues),
        LayerCase.Declared(() => new MaxPool2dK2Ties(), MaxPool2d(2, 2)).WithInput(TiedValues),
        LayerCase.Declared(() => new MaxPool2dK3Ties(), MaxPool2d(3, 3)).WithInput(TiedValues),
        LayerCase.Declared(() => new MaxPool2dK3S2P1Ties(), MaxPool2d(3, 2, 1)).WithInput(TiedValues),

        LayerCase.Declared(() => new AvgPool2dK2(), AvgPool2d(2, 2)),
        LayerCase.Declared(() => new AvgPool2dK3S2P1(), AvgPool2d(3, 2, 1)),
        LayerCase.Declared(() => new AvgPool2dK3S1P1(), AvgPool2d(3, 1, 1)),
        LayerCase.Declared(() => new AvgPool2dK4S2P2(), AvgPool2d(4, 2, 2)),
        LayerCase.Declared(() => new AvgPool2dK3(), AvgPool2d(3, 3)),
        LayerCase.Declared(() => new AvgPool2dK2S1P1(), AvgPool2d(2, 1, 1)),

        // Shifted so the channel means are clearly non-zero.
        LayerCase.Declared(() => new GlobalAvgPool2dMaps(), GlobalAvgPool2d()).WithInput(-1.5, 2.5),

        // Scaled and shifted, so normalization has a mean and a scale to remove.
        LayerCase.Declared(() => new BatchNorm1dVectors(), BatchNorm("batchnorm1d_1", 1e-3)).WithInput(-2.3, 3.7).InBothModes(),
        LayerCase.Declared(() => new BatchNorm1dSequences(), BatchNorm("batchnorm1d_1")).WithInput(-2.3, 3.7).InBothModes(),
        LayerCase.Declared(() => new BatchNorm2dMaps(), BatchNorm("batchnorm2d_1")).WithInput(-2.3, 3.7).InBothModes(),

        // Scaled and shifted per position, so normalization has something to remove.
        LayerCase.Declared(() => new LayerNormVectors(), LayerNorm()).WithInput(-2.8, 4),
        LayerCase.Declared(() => new LayerNormVectorsEpsilon1e3(), LayerNorm(1e-3)).WithInput(-2.8, 4),
        LayerCase.Declared(() => new LayerNormSequences(), LayerNorm()).WithInput(-2.8, 4),
        LayerCase.Declared(() => new LayerNormSequencesEpsilon1e3(), LayerNorm(1e-3)).WithInput(-2.8, 4),

        LayerCase.Declared(() => new DropoutHalf(), Dropout()),
        LayerCase.Declared(() => new FlattenMaps(), Flatten()),
        LayerCase.Declared(() => new FlattenSequences(), Flatten()),
        LayerCase.Declared(() => new Reshape12To3x4(), Reshape(3, 4)),
        LayerCase.Declared(() => new Reshape2x3x4To6x4(), Reshape(6, 4)),
        LayerCase.Declared(() => new Reshape24To2x3x4(), Reshape(2, 3, 4)),
        LayerCase.Declared(() => new Reshape2x3x4To24(), Reshape(24)),

        // Activations on U(−4, 4), so saturating and exponential regions are reached.
        LayerCase.Declared(() => new ReluVectors(), Relu()).WithInput(-4, 4),
        LayerCase.Declared(() => new ReluMaps(), Relu()).WithInput(-4, 4),
        LayerCase.Declared(() => new LeakyReluVectors(), LeakyRelu(0.2)).WithInput(-4, 4),
        LayerCase.Declared(() => new LeakyReluMaps(), LeakyRelu(0.2)).WithInput(-4, 4),
        LayerCase.Declared(() => new EluVectors(), Elu(1.5)).WithInput(-4, 4),
        LayerCase.Declared(() => new EluMaps(), Elu(1.5)).WithInput(-4, 4),
        LayerCase.Declared(() => new GeluVectors(), Gelu()).WithInput(-4, 4),
        LayerCase.Declared(() => new GeluMaps(), Gelu()).WithInput(-4, 4),
        LayerCase.Declared(() => new SiluVectors(), Silu()).WithInput(-4, 4),
        LayerCase.Declared(() => new SiluMaps(), Silu()).WithInput(-4, 4),
        LayerCase.Declared(() => new SigmoidVectors(), Sigmoid()).WithInput(-4, 4),
        LayerCase.Declared(() => new SigmoidMaps(), Sigmoid()).WithInput(-4, 4),
        LayerCase.Declared(() => new TanhVectors(), Tanh()).WithInput(-4, 4),
        LayerCase.Declared(() => new TanhMaps(), Tanh()).WithInput(-4, 4),
        LayerCase.Declared(() => new SoftmaxVectors(), Softmax()).WithInput(-4, 4),
        LayerCase.Declared(() => new SoftmaxMaps(), Softmax()).WithInput(-4, 4),
        LayerCase.Declared(() => new LogSoftmaxVectors(), LogSoftmax()).WithInput(-4, 4),
        LayerCase.Declared(() => new LogSoftmaxMaps(), LogSoftmax()).WithInput(-4, 4),

        LayerCase.Declared(() => new EmbeddingSmall(), Embedding(50)).WithInput((shape, seed) => LayerContract.Ids(seed, shape, 50)),
        LayerCase.Declared(() => new EmbeddingLarge(), Embedding(1000)).WithInput((shape, seed) => LayerContract.Ids(seed, shape, 1000)),

        LayerCase.Declared(() => new LstmLastStep(), Lstm(returnSequences: false)),
        LayerCase.Declared(() => new LstmAllSteps(), Lstm(returnSequences: true)),
        LayerCase.Declared(() => new LstmWideLastStep(), Lstm(returnSequences: false)),
        LayerCase.Declared(() => new LstmWideAllSteps(), Lstm(returnSequences: true)),
        LayerCase.Declared(() => new GruLastStep(), Gru(returnSequences: false)),
        LayerCase.Declared(() => new GruAllSteps(), Gru(returnSequences: true)),
        LayerCase.Declared(() => new GruWideLastStep(), Gru(returnSequences: false)),
        LayerCase.Declared(() => new GruWideAllSteps(), Gru(returnSequences: true)),

        LayerCase.Declared(() => new BlockOfConvBatchNormRelu(), Chain(
            Conv2d(padding: Pad(1)), BatchNorm("contractconvblock_1.batchnorm2d_2"), Relu())).InBothModes(),
        LayerCase.Declared(() => new ResidualIdentity(), Residual(Chain(
            Conv2d(padding: Pad(1)), BatchNorm("residual_1.body.batchnorm2d_2"), Relu()))).InBothModes(),
        LayerCase.Declared(() => new ResidualConvProjection(), Residual(
            Chain(Conv2d(stride: 2, padding: Pad(1)), BatchNorm("residual_1.body.batchnorm2d_2")),
            projection: Conv2d(stride: 2))).InBothModes(),
        LayerCase.Declared(() => new ResidualDenseProjection(), Residual(Chain(Dense(), Tanh()), projection: Dense())),
        // The in-graph backward pools before the ReLU (BlockLayer.EmitSequence): same values and gradients, also with ties.
        LayerCase.Declared(() => new BlockOfReluMaxPool(), Chain(Relu(), MaxPool2d(2, 2))).WithInput(TiedValuesOfBothSigns),
        LayerCase.Declared(() => new BlockOfReluOverlappingMaxPool(), Chain(Relu(), MaxPool2d(3, 2, 1))).WithInput(TiedValuesOfBothSigns),
    ];

    private static readonly Dictionary<string, LayerCase> Cases = Convolutions.Concat(Others).ToDictionary(c => c.Name);

    public static TheoryData<string, bool> CasesAndModes() => WithModes(Cases.Values);

    public static TheoryData<string, bool> CasesWithParametersAndModes() => WithModes(Cases.Values.Where(HasParameters));

    public static TheoryData<string> DeclaredCases() => [.. Cases.Values.Where(c => c.IsDeclared).Select(c => c.Name)];

    public static TheoryData<string> ConvolutionCases() => [.. Convolutions.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CasesAndModes))]
    public void ForwardOnOtherWeightsEqualsTheReference(string @case, bool training) =>
        LayerContract.AssertForwardMatchesReference(Cases[@case], training);

    [Theory]
    [MemberData(nameof(CasesAndModes))]
    public void OnnxRuntimeOnOtherWeightsEqualsTheReference(string @case, bool training) =>
        LayerContract.AssertOnnxRuntimeMatchesReference(Cases[@case], training);

    /// <summary>The layer kinds with a backward rule (in-graph adaptation differentiates through them); the others must refuse by name.</summary>
    private static readonly string[] WithoutBackwardRule =
        ["Conv1d", "ConvTranspose2d", "LayerNorm", "Silu", "Softmax", "LogSoftmax", "Embedding", "Lstm", "Gru"];

    [Theory]
    [MemberData(nameof(CasesAndModes))]
    public void OnnxBackwardEqualsAutogradOrTheLayerRefusesByName(string @case, bool training)
    {
        bool supported = LayerContract.AssertOnnxBackwardMatchesAutograd(Cases[@case], training);
        Assert.Equal(!WithoutBackwardRule.Any(kind => @case.StartsWith(kind, StringComparison.Ordinal)), supported);
    }

    [Theory]
    [MemberData(nameof(DeclaredCases))]
    public void CompileTimeShapeAndParametersEqualTheRuntimeLayers(string @case) =>
        LayerContract.AssertCompileTimeFactsMatchRuntime(Cases[@case]);

    [Theory]
    [MemberData(nameof(CasesWithParametersAndModes))]
    public void SecondOrderGradientsFlowThroughExplicitParameters(string @case, bool training)
    {
        using var scope = NewDisposeScope();
        using LayerSubject subject = LayerContract.Prepare(Cases[@case]);
        GradientChecks.AssertSecondOrderGradients(subject.Layer, subject.Input, training);
    }

    [Theory]
    [MemberData(nameof(ConvolutionCases))]
    public void InputGradientMatchesFloat64(string @case)
    {
        // What LibTorch's oneDNN kernels got wrong on some CPUs: float32 input gradients of convolutions.
        using var scope = NewDisposeScope();
        using LayerSubject subject = LayerContract.Prepare(Cases[@case]);
        GradientChecks.AssertInputGradientMatchesDoublePrecision(subject.Layer, subject.Input);
    }

    private static bool HasParameters(LayerCase layerCase)
    {
        using var scope = NewDisposeScope();
        using LayerSubject subject = layerCase.Create();
        return subject.Layer.OwnParameters.Count > 0;
    }

    private static Conv2dLayer Conv2dWithPadding(int inChannels, int filters, Padding2d padding)
    {
        using var init = new LayerInit(inChannels);
        return new Conv2dLayer("conv2d", inChannels, filters, 3, 1, padding, 1, 1, init);
    }

    private static TheoryData<string, bool> WithModes(IEnumerable<LayerCase> cases)
    {
        var data = new TheoryData<string, bool>();
        foreach (LayerCase layerCase in cases)
        {
            foreach (bool training in layerCase.Modes)
            {
                data.Add(layerCase.Name, training);
            }
        }

        return data;
    }
}
