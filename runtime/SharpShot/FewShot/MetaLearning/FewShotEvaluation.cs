namespace SharpShot.FewShot;

/// <summary>How well a few-shot learner did over many test episodes, reported the way the literature does: mean accuracy ± a 95% confidence interval.</summary>
/// <param name="Accuracy">Mean query accuracy over the episodes.</param>
/// <param name="ConfidenceInterval95">
/// Half-width of the 95% confidence interval of the mean accuracy: <c>1.96 · std / √episodes</c>, with the sample
/// standard deviation (n − 1) of the per-episode accuracies; NaN for a single episode.
/// </param>
/// <param name="Loss">Mean query cross-entropy over the episodes.</param>
/// <param name="Episodes">Number of episodes.</param>
public sealed record FewShotEvaluation(double Accuracy, double ConfidenceInterval95, double Loss, int Episodes)
{
    /// <summary>Summarizes per-episode accuracies and losses.</summary>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths.</exception>
    public static FewShotEvaluation FromEpisodes(IReadOnlyList<double> accuracies, IReadOnlyList<double> losses)
    {
        ArgumentNullException.ThrowIfNull(accuracies);
        ArgumentNullException.ThrowIfNull(losses);
        if (accuracies.Count == 0 || accuracies.Count != losses.Count)
        {
            throw new ArgumentException($"Needs one accuracy and one loss per episode, at least one episode; got {accuracies.Count} accuracies and {losses.Count} losses.");
        }

        int n = accuracies.Count;
        double mean = accuracies.Average();
        double halfWidth = double.NaN;
        if (n > 1)
        {
            double variance = accuracies.Sum(a => (a - mean) * (a - mean)) / (n - 1);
            halfWidth = 1.96 * Math.Sqrt(variance) / Math.Sqrt(n);
        }

        return new FewShotEvaluation(mean, halfWidth, losses.Average(), n);
    }

    /// <summary>E.g. <c>97.41% ± 0.21% over 1000 episodes</c>.</summary>
    public override string ToString() =>
        FormattableString.Invariant($"{Accuracy:P2} ± {ConfidenceInterval95:P2} over {Episodes} episodes");
}
