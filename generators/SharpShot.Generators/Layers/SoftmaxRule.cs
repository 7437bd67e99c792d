namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Softmax]</c>: softmax over the last dimension. As the last layer it makes the model output
/// probabilities and is left out of the generated <c>Logits</c>.
/// </summary>
internal sealed class SoftmaxRule : ElementwiseRule
{
    public SoftmaxRule()
        : base("Softmax")
    {
    }

    public override bool OutputsProbabilities => true;
}
