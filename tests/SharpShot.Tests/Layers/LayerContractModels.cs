using SharpShot;

// One-layer models, one per configuration of the layer contract (LayerContractTests): the generator builds each
// layer from its attribute, so the contract checks the generator's shape rule, parameter count and descriptors
// against the runtime layer, and the layer it constructs against an independent reference.
namespace SharpShot.Tests.Layers;

[Model(12)] [Dense(5)] public partial class DenseNarrowing;
[Model(3)] [Dense(16)] public partial class DenseWidening;

[Model(3, 10)] [Conv1d(4, 3)] public partial class Conv1dValid;
[Model(3, 11)] [Conv1d(4, 3, Stride = 2, Padding = 1)] public partial class Conv1dStride2Pad1;
[Model(2, 9)] [Conv1d(5, 4, PaddingMode = PaddingMode.Same)] public partial class Conv1dSameEvenKernel;
[Model(3, 10)] [Conv1d(4, 3, Stride = 2, PaddingMode = PaddingMode.Same)] public partial class Conv1dSameStride2;
[Model(3, 12)] [Conv1d(4, 3, Padding = 3, Dilation = 3)] public partial class Conv1dDilation3;
[Model(4, 10)] [Conv1d(6, 5, Padding = 2, Groups = 2)] public partial class Conv1dGroups2;
[Model(4, 9)] [Conv1d(4, 3, Padding = 1, Groups = 4)] public partial class Conv1dDepthwise;

[Model(3, 8, 8)] [Conv2d(4, 3)] public partial class Conv2dValid;
[Model(3, 9, 8)] [Conv2d(4, 3, Stride = 2, Padding = 1)] public partial class Conv2dStride2Pad1;
[Model(3, 8, 7)] [Conv2d(4, 4, PaddingMode = PaddingMode.Same)] public partial class Conv2dSameEvenKernel;
[Model(3, 8, 8)] [Conv2d(5, 3, Stride = 2, PaddingMode = PaddingMode.Same)] public partial class Conv2dSameStride2;
[Model(3, 8, 8)] [Conv2d(4, 3, Padding = 2, Dilation = 2)] public partial class Conv2dDilation2;
[Model(4, 7, 7)] [Conv2d(6, 3, Padding = 1, Groups = 2)] public partial class Conv2dGroups2;
[Model(4, 7, 7)] [Conv2d(4, 3, Padding = 1, Groups = 4)] public partial class Conv2dDepthwise;
[Model(3, 8, 8)] [Conv2d(6, 3, Stride = 2, PaddingMode = PaddingMode.Same, Groups = 3)] public partial class Conv2dDepthwiseX2Stride2Same;

// 16 input channels on small maps: without oneDNN these run Conv2d's channels-last route.
[Model(16, 7, 7)] [Conv2d(8, 3, Padding = 1)] public partial class Conv2dRoutedPad1;
[Model(16, 7, 7)] [Conv2d(4, 4, PaddingMode = PaddingMode.Same)] public partial class Conv2dRoutedSameEvenKernel;

[Model(3, 5, 5)] [ConvTranspose2d(4, 3)] public partial class ConvTranspose2dStride1;
[Model(3, 5, 6)] [ConvTranspose2d(4, 3, Stride = 2, Padding = 1, OutputPadding = 1)] public partial class ConvTranspose2dStride2Pad1OutPad1;
[Model(2, 4, 6)] [ConvTranspose2d(3, 4, Stride = 2, Padding = 1)] public partial class ConvTranspose2dUpsampleK4;
[Model(4, 3, 5)] [ConvTranspose2d(2, 2, Stride = 2)] public partial class ConvTranspose2dK2S2;
[Model(2, 4, 4)] [ConvTranspose2d(2, 5, Stride = 3, Padding = 2, OutputPadding = 2)] public partial class ConvTranspose2dK5S3P2OutPad2;

[Model(3, 7, 9)] [MaxPool2d(2)] public partial class MaxPool2dK2;
[Model(3, 7, 9)] [MaxPool2d(3, Stride = 2, Padding = 1)] public partial class MaxPool2dK3S2P1;
[Model(3, 7, 9)] [MaxPool2d(3, Stride = 1, Padding = 1)] public partial class MaxPool2dK3S1P1;
[Model(3, 7, 9)] [MaxPool2d(2, Padding = 1)] public partial class MaxPool2dK2P1;
[Model(3, 7, 9)] [MaxPool2d(4, Stride = 3, Padding = 2)] public partial class MaxPool2dK4S3P2;
[Model(3, 7, 9)] [MaxPool2d(3)] public partial class MaxPool2dK3;
[Model(3, 8, 10)] [MaxPool2d(2)] public partial class MaxPool2dK2Ties;
[Model(2, 7, 9)] [MaxPool2d(3)] public partial class MaxPool2dK3Ties;
[Model(2, 7, 9)] [MaxPool2d(3, Stride = 2, Padding = 1)] public partial class MaxPool2dK3S2P1Ties;

[Model(3, 7, 9)] [AvgPool2d(2)] public partial class AvgPool2dK2;
[Model(3, 7, 9)] [AvgPool2d(3, Stride = 2, Padding = 1)] public partial class AvgPool2dK3S2P1;
[Model(3, 7, 9)] [AvgPool2d(3, Stride = 1, Padding = 1)] public partial class AvgPool2dK3S1P1;
[Model(3, 7, 9)] [AvgPool2d(4, Stride = 2, Padding = 2)] public partial class AvgPool2dK4S2P2;
[Model(3, 7, 9)] [AvgPool2d(3)] public partial class AvgPool2dK3;
[Model(3, 7, 9)] [AvgPool2d(2, Stride = 1, Padding = 1)] public partial class AvgPool2dK2S1P1;

[Model(5, 6, 7)] [GlobalAvgPool2d] public partial class GlobalAvgPool2dMaps;

[Model(4)] [BatchNorm1d(Epsilon = 1e-3)] public partial class BatchNorm1dVectors;
[Model(3, 7)] [BatchNorm1d] public partial class BatchNorm1dSequences;
[Model(3, 5, 5)] [BatchNorm2d(Momentum = 0.3)] public partial class BatchNorm2dMaps;

[Model(6)] [LayerNorm] public partial class LayerNormVectors;
[Model(6)] [LayerNorm(Epsilon = 1e-3)] public partial class LayerNormVectorsEpsilon1e3;
[Model(5, 8)] [LayerNorm] public partial class LayerNormSequences;
[Model(5, 8)] [LayerNorm(Epsilon = 1e-3)] public partial class LayerNormSequencesEpsilon1e3;

[Model(3, 4)] [Dropout(0.5)] public partial class DropoutHalf;
[Model(2, 5, 3)] [Flatten] public partial class FlattenMaps;
[Model(5, 3)] [Flatten] public partial class FlattenSequences;

[Model(12)] [Reshape(3, 4)] public partial class Reshape12To3x4;
[Model(2, 3, 4)] [Reshape(6, -1)] public partial class Reshape2x3x4To6x4;
[Model(24)] [Reshape(2, 3, 4)] public partial class Reshape24To2x3x4;
[Model(2, 3, 4)] [Reshape(24)] public partial class Reshape2x3x4To24;

[Model(10)] [Relu] public partial class ReluVectors;
[Model(3, 4, 5)] [Relu] public partial class ReluMaps;
[Model(10)] [LeakyRelu(Slope = 0.2)] public partial class LeakyReluVectors;
[Model(3, 4, 5)] [LeakyRelu(Slope = 0.2)] public partial class LeakyReluMaps;
[Model(10)] [Elu(Alpha = 1.5)] public partial class EluVectors;
[Model(3, 4, 5)] [Elu(Alpha = 1.5)] public partial class EluMaps;
[Model(10)] [Gelu] public partial class GeluVectors;
[Model(3, 4, 5)] [Gelu] public partial class GeluMaps;
[Model(10)] [Silu] public partial class SiluVectors;
[Model(3, 4, 5)] [Silu] public partial class SiluMaps;
[Model(10)] [Sigmoid] public partial class SigmoidVectors;
[Model(3, 4, 5)] [Sigmoid] public partial class SigmoidMaps;
[Model(10)] [Tanh] public partial class TanhVectors;
[Model(3, 4, 5)] [Tanh] public partial class TanhMaps;
[Model(10)] [Softmax] public partial class SoftmaxVectors;
[Model(3, 4, 5)] [Softmax] public partial class SoftmaxMaps;
[Model(10)] [LogSoftmax] public partial class LogSoftmaxVectors;
[Model(3, 4, 5)] [LogSoftmax] public partial class LogSoftmaxMaps;

[Model(12)] [Embedding(50, 8)] public partial class EmbeddingSmall;
[Model(12)] [Embedding(1000, 32)] public partial class EmbeddingLarge;

// Gate blocks of another size than the input, and 12 steps, so a gate-order or state bug compounds.
[Model(12, 5)] [Lstm(7)] public partial class LstmLastStep;
[Model(12, 5)] [Lstm(7, ReturnSequences = true)] public partial class LstmAllSteps;
[Model(12, 16)] [Lstm(32)] public partial class LstmWideLastStep;
[Model(12, 16)] [Lstm(32, ReturnSequences = true)] public partial class LstmWideAllSteps;
[Model(12, 5)] [Gru(7)] public partial class GruLastStep;
[Model(12, 5)] [Gru(7, ReturnSequences = true)] public partial class GruAllSteps;
[Model(12, 16)] [Gru(32)] public partial class GruWideLastStep;
[Model(12, 16)] [Gru(32, ReturnSequences = true)] public partial class GruWideAllSteps;

[Block] [Conv2d(4, 3, Padding = 1), BatchNorm2d, Relu] public partial class ContractConvBlock;
[Block] [Conv2d(6, 3, Stride = 2, PaddingMode = PaddingMode.Same), BatchNorm2d] public partial class ContractStridedBlock;
[Block] [Dense(4), Tanh] public partial class ContractDenseBlock;
[Block] [Relu, MaxPool2d(2)] public partial class ContractReluPoolBlock;
[Block] [Relu, MaxPool2d(3, Stride = 2, Padding = 1)] public partial class ContractReluOverlappingPoolBlock;

[Model(3, 6, 6)] [Repeat(typeof(ContractConvBlock), 1)] public partial class BlockOfConvBatchNormRelu;
[Model(4, 6, 6)] [Residual(typeof(ContractConvBlock))] public partial class ResidualIdentity;
[Model(3, 7, 7)] [Residual(typeof(ContractStridedBlock), Projection = true)] public partial class ResidualConvProjection;
[Model(6)] [Residual(typeof(ContractDenseBlock), Projection = true)] public partial class ResidualDenseProjection;
[Model(3, 8, 10)] [Repeat(typeof(ContractReluPoolBlock), 1)] public partial class BlockOfReluMaxPool;
[Model(2, 7, 9)] [Repeat(typeof(ContractReluOverlappingPoolBlock), 1)] public partial class BlockOfReluOverlappingMaxPool;
