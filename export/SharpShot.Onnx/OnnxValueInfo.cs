namespace SharpShot.Onnx;

/// <summary>A graph input or output as declared in an ONNX model: its name, element type and shape.</summary>
/// <param name="Name">The value's name, used to bind data to it.</param>
/// <param name="ElementType">Element type; <see cref="OnnxElementType.Undefined"/> when the value is not a tensor (a sequence or map).</param>
/// <param name="Shape">Declared axes; empty for a scalar, and also when the model does not declare a shape.</param>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDimension> Shape)
{
    /// <summary>The value as <c>name: Float[N, 1, 28, 28]</c>, for messages.</summary>
    public override string ToString() => $"{Name}: {ElementType}{OnnxDimension.Format(Shape)}";
}
