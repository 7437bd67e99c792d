namespace SharpShot.Generators.Layers;

/// <summary><c>[LogSoftmax]</c>: log(softmax(x)) over the last dimension. As the last layer its output still counts as logits for training (cross-entropy on log-probabilities is the negative log-likelihood).</summary>
internal sealed class LogSoftmaxRule : ElementwiseRule
{
    public LogSoftmaxRule()
        : base("LogSoftmax")
    {
    }
}
