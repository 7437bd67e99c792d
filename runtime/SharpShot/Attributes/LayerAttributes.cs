namespace SharpShot;

// Each attribute here is the declaration face of one layer kind; its shape rule lives in the generator
// (generators/SharpShot.Generators/Layers/<Kind>Rule.cs) and its module, in runtime/SharpShot/Layers/<Kind>.cs.

/// <summary>
/// What <see cref="Conv1dAttribute"/> and <see cref="Conv2dAttribute"/> share: <c>filters</c> output channels,
/// a kernel of <c>kernel</c> taps per spatial dimension, stride, padding (explicit or "same"), dilation and groups.
/// </summary>
public abstract class ConvolutionAttribute : LayerAttribute
{
    /// <summary>Declares a convolution.</summary>
    /// <param name="filters">Number of output channels (positive).</param>
    /// <param name="kernel">Kernel size per spatial dimension (positive, at most the padded input size).</param>
    protected ConvolutionAttribute(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel size per spatial dimension.</summary>
    public int Kernel { get; }

    /// <summary>Step between kernel applications, in every spatial dimension. Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on every side before convolving. Default 0 (Keras "valid"). Ignored with <see cref="PaddingMode.Same"/>.</summary>
    public int Padding { get; set; }

    /// <summary><see cref="PaddingMode.Same"/> pads so that the output is ceil(input / stride). Default explicit.</summary>
    public PaddingMode PaddingMode { get; set; }

    /// <summary>Spacing between kernel taps (1 = dense kernel). Default 1.</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Channel groups: input channels and filters must both be divisible by it; equal to the input channels for a depthwise convolution. Default 1.</summary>
    public int Groups { get; set; } = 1;
}

/// <summary>2-D convolution over a (channels, height, width) input: <c>filters</c> output channels, a square <c>kernel</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2dAttribute : ConvolutionAttribute
{
    /// <summary>Declares a convolution.</summary>
    /// <param name="filters">Number of output channels (positive).</param>
    /// <param name="kernel">Side of the square kernel (positive, at most the padded input size).</param>
    public Conv2dAttribute(int filters, int kernel) : base(filters, kernel)
    {
    }
}

/// <summary>1-D convolution over a (channels, length) input: <c>filters</c> output channels, kernel of <c>kernel</c> taps.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1dAttribute : ConvolutionAttribute
{
    /// <summary>Declares a 1-D convolution.</summary>
    /// <param name="filters">Number of output channels (positive).</param>
    /// <param name="kernel">Kernel length (positive, at most the padded input length).</param>
    public Conv1dAttribute(int filters, int kernel) : base(filters, kernel)
    {
    }
}

/// <summary>Transposed 2-D convolution ("deconvolution") over (channels, height, width): upsamples by <c>Stride</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvTranspose2dAttribute : LayerAttribute
{
    /// <summary>Declares a transposed convolution.</summary>
    /// <param name="filters">Number of output channels (positive).</param>
    /// <param name="kernel">Side of the square kernel (positive).</param>
    public ConvTranspose2dAttribute(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Side of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>Upsampling factor. Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Rows/columns removed from each side of the full output, as in PyTorch. Default 0.</summary>
    public int Padding { get; set; }

    /// <summary>Extra rows/columns added at the bottom/right of the output (less than <see cref="Stride"/>). Default 0.</summary>
    public int OutputPadding { get; set; }
}

/// <summary>2-D max pooling over a (channels, height, width) input with a square window.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2dAttribute : LayerAttribute
{
    /// <summary>Declares a max pooling layer.</summary>
    /// <param name="kernel">Side of the square window (positive, at most the input size).</param>
    public MaxPool2dAttribute(int kernel) => Kernel = kernel;

    /// <summary>Side of the square window.</summary>
    public int Kernel { get; }

    /// <summary>Step between windows. Default 0 means "same as <see cref="Kernel"/>" (non-overlapping, as in Keras).</summary>
    public int Stride { get; set; }

    /// <summary>Padding on every side (at most half the kernel), never counted as a maximum. Default 0.</summary>
    public int Padding { get; set; }
}

/// <summary>2-D average pooling over a (channels, height, width) input with a square window.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2dAttribute : LayerAttribute
{
    /// <summary>Declares an average pooling layer.</summary>
    /// <param name="kernel">Side of the square window (positive, at most the padded input size).</param>
    public AvgPool2dAttribute(int kernel) => Kernel = kernel;

    /// <summary>Side of the square window.</summary>
    public int Kernel { get; }

    /// <summary>Step between windows. Default 0 means "same as <see cref="Kernel"/>".</summary>
    public int Stride { get; set; }

    /// <summary>Zero padding on every side (at most half the kernel); the zeros count in the average, as PyTorch's default. Default 0.</summary>
    public int Padding { get; set; }
}

/// <summary>Averages each channel over height and width: (channels, height, width) → (channels), as Keras's GlobalAveragePooling2D.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool2dAttribute : LayerAttribute;

/// <summary>Batch normalization over the channels of a (features) or (channels, length) input.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm1dAttribute : LayerAttribute
{
    /// <summary>Weight of the newest batch in the running statistics (PyTorch convention). Default 0.1.</summary>
    public double Momentum { get; set; } = 0.1;

    /// <summary>Added to the variance for stability. Default 1e-5.</summary>
    public double Epsilon { get; set; } = 1e-5;
}

/// <summary>Batch normalization over the channels of a (channels, height, width) input.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNorm2dAttribute : LayerAttribute
{
    /// <summary>Weight of the newest batch in the running statistics (PyTorch convention). Default 0.1.</summary>
    public double Momentum { get; set; } = 0.1;

    /// <summary>Added to the variance for stability. Default 1e-5.</summary>
    public double Epsilon { get; set; } = 1e-5;
}

/// <summary>Layer normalization over the last dimension, with a learned scale and shift.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance for stability. Default 1e-5.</summary>
    public double Epsilon { get; set; } = 1e-5;
}

/// <summary>Reshapes each sample to <c>shape</c> (the product must match; one dimension may be -1 to be inferred).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReshapeAttribute : LayerAttribute
{
    /// <summary>Declares a reshape.</summary>
    /// <param name="shape">The per-sample target shape, without the batch dimension.</param>
    public ReshapeAttribute(params int[] shape) => Shape = shape;

    /// <summary>The per-sample target shape.</summary>
    public int[] Shape { get; }
}

/// <summary>Token embedding: a (length) input of integer ids (carried as floats) → (length, dimension).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>Declares an embedding table.</summary>
    /// <param name="vocabulary">Number of distinct ids (ids run from 0 to vocabulary − 1).</param>
    /// <param name="dimension">Length of each embedding vector.</param>
    public EmbeddingAttribute(int vocabulary, int dimension)
    {
        Vocabulary = vocabulary;
        Dimension = dimension;
    }

    /// <summary>Number of distinct ids.</summary>
    public int Vocabulary { get; }

    /// <summary>Length of each embedding vector.</summary>
    public int Dimension { get; }
}

/// <summary>LSTM over a batch-first (length, features) input: (units) from the last step, or (length, units) with <see cref="ReturnSequences"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : LayerAttribute
{
    /// <summary>Declares an LSTM layer.</summary>
    /// <param name="units">Size of the hidden state.</param>
    public LstmAttribute(int units) => Units = units;

    /// <summary>Size of the hidden state.</summary>
    public int Units { get; }

    /// <summary>Output every step's hidden state instead of only the last. Default false (as Keras).</summary>
    public bool ReturnSequences { get; set; }
}

/// <summary>GRU over a batch-first (length, features) input: (units) from the last step, or (length, units) with <see cref="ReturnSequences"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : LayerAttribute
{
    /// <summary>Declares a GRU layer.</summary>
    /// <param name="units">Size of the hidden state.</param>
    public GruAttribute(int units) => Units = units;

    /// <summary>Size of the hidden state.</summary>
    public int Units { get; }

    /// <summary>Output every step's hidden state instead of only the last. Default false (as Keras).</summary>
    public bool ReturnSequences { get; set; }
}

/// <summary>Flattens each sample to a vector, keeping the batch dimension.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute;

/// <summary>Fully connected layer over a vector input: <c>units</c> outputs, with bias.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a fully connected layer.</summary>
    /// <param name="units">Number of outputs (positive).</param>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Number of outputs.</summary>
    public int Units { get; }
}

/// <summary>Rectified linear activation, <c>max(x, 0)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReluAttribute : LayerAttribute;

/// <summary>Leaky rectified linear activation: x, or <see cref="Slope"/>·x below zero.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReluAttribute : LayerAttribute
{
    /// <summary>Multiplier of negative inputs. Default 0.01 (PyTorch).</summary>
    public double Slope { get; set; } = 0.01;
}

/// <summary>Exponential linear unit: x, or <see cref="Alpha"/>·(eˣ − 1) below zero.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EluAttribute : LayerAttribute
{
    /// <summary>Scale of the negative part. Default 1.</summary>
    public double Alpha { get; set; } = 1.0;
}

/// <summary>Gaussian error linear unit, exact (erf) form.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GeluAttribute : LayerAttribute;

/// <summary>Sigmoid-weighted linear unit (swish): x·sigmoid(x).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SiluAttribute : LayerAttribute;

/// <summary>Logistic sigmoid, 1 / (1 + e⁻ˣ).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute;

/// <summary>Hyperbolic tangent.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute;

/// <summary>Log-softmax over the last dimension (training applies cross-entropy, i.e. negative log-likelihood, to its output).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LogSoftmaxAttribute : LayerAttribute;

/// <summary>
/// Softmax over the last dimension. As the last layer it makes the model output probabilities;
/// training then uses cross-entropy on the values before it (the logits), as Keras does for
/// <c>Dense(n, activation="softmax")</c> with categorical cross-entropy.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute;

/// <summary>Zeroes each value with probability <c>rate</c> during training (scaling the rest by 1/(1-rate)); the identity at inference and in ONNX.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares a dropout layer.</summary>
    /// <param name="rate">Probability of dropping a value, in [0, 1).</param>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>Probability of dropping a value.</summary>
    public double Rate { get; }
}
