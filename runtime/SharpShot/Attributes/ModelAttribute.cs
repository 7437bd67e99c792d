namespace SharpShot;

/// <summary>
/// Declares a <c>partial</c> class as a SharpShot network. The layer attributes that follow it, in
/// source order, are the layers; the generator infers every shape at compile time and emits the
/// TorchSharp module, its summary and its ONNX export.
/// </summary>
/// <example><code>
/// [Model(1, 28, 28)]
/// [Conv2d(32, 3), Relu, MaxPool2d(2), Flatten, Dense(64), Relu, Dense(10)]
/// public partial class FashionCnn;
/// </code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>Declares the shape of one input sample, without the batch dimension: (channels, height, width) for images, (features) for vectors.</summary>
    /// <param name="inputShape">The sample shape; every dimension must be positive.</param>
    public ModelAttribute(params int[] inputShape) => InputShape = inputShape;

    /// <summary>The shape of one input sample, without the batch dimension.</summary>
    public int[] InputShape { get; }
}
