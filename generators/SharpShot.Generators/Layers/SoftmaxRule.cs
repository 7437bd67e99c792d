namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Softmax]</c>: softmax over the last dimension. As the last layer it makes the model output
/// probabilities and is left out of the generated <c>Logits</c>.
/// </summary>
internal sealed class SoftmaxRule : ElementwiseRule
{
    /// <summary>The kind the emitter checks for a final Softmax.</summary>
    public const string KindName = "Softmax";

    public SoftmaxRule()
        : base(KindName)
    {
    }
}
