namespace SharpShot;

// Each attribute here is the declaration face of one layer kind; its shape rule lives in the generator
// (generators/SharpShot.Generators/Layers/<Kind>Rule.cs) and its module, in runtime/SharpShot/Layers/<Kind>.cs.

/// <summary>2-D convolution over a (channels, height, width) input: <c>filters</c> output channels, a square <c>kernel</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <summary>Declares a convolution.</summary>
    /// <param name="filters">Number of output channels (positive).</param>
    /// <param name="kernel">Side of the square kernel (positive, at most the padded input size).</param>
    public Conv2dAttribute(int filters, int kernel)
    {
        Filters = filters;
        Kernel = kernel;
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>Side of the square kernel.</summary>
    public int Kernel { get; }

    /// <summary>Step between kernel applications, in both directions. Default 1.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on every side before convolving. Default 0 (Keras "valid").</summary>
    public int Padding { get; set; }
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
