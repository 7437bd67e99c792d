namespace SharpShot.Inference.Tests;

public class ProbabilitiesTests
{
    [Fact]
    public void Logits_become_a_softmax_and_probabilities_stay_as_they_are()
    {
        using var logits = OnnxModel.Load(TestModels.Dense());
        using var softmax = OnnxModel.Load(TestModels.DenseSoftmax());
        float[] output = [1f, 3f, -2f];

        float[] fromLogits = logits.ToProbabilities(output);
        float[] fromSoftmax = softmax.ToProbabilities(output);

        double total = Math.Exp(1) + Math.Exp(3) + Math.Exp(-2);
        Assert.Equal([(float)(Math.Exp(1) / total), (float)(Math.Exp(3) / total), (float)(Math.Exp(-2) / total)], fromLogits);
        Assert.Equal(output, fromSoftmax);
        Assert.NotSame(output, fromSoftmax);
        Assert.Equal([0.5f, 0.5f], logits.ToProbabilities([1000f, 1000f]));
    }
}
