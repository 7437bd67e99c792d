namespace SharpShot.Onnx;

/// <summary>What <see cref="OnnxQuantizer"/> made: the new model's bytes and what changed.</summary>
/// <param name="Bytes">The quantized model, a complete <c>.onnx</c> file.</param>
/// <param name="Changed">The initializers stored as float16, or the nodes given integer kernels.</param>
/// <param name="LeftInFloat">Nodes of a quantizable kind left in float, each with the reason.</param>
public sealed record QuantizedModel(byte[] Bytes, IReadOnlyList<string> Changed, IReadOnlyList<string> LeftInFloat);
