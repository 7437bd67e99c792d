namespace SharpShot.Training;

/// <summary>
/// The one rule for which validation is best, used to write the best checkpoint (<c>&lt;name&gt;.best&lt;extension&gt;</c>)
/// by supervised training and meta-training alike: the higher accuracy, ties broken by the lower loss; the lower loss
/// where there is no accuracy (regression: NaN).
/// </summary>
internal static class BestValidation
{
    /// <summary>True when a validation of <paramref name="accuracy"/> and <paramref name="loss"/> beats one of <paramref name="earlierAccuracy"/> and <paramref name="earlierLoss"/>.</summary>
    public static bool Beats(double accuracy, double loss, double earlierAccuracy, double earlierLoss) =>
        double.IsNaN(accuracy) || double.IsNaN(earlierAccuracy)
            ? loss < earlierLoss
            : accuracy > earlierAccuracy || (accuracy == earlierAccuracy && loss < earlierLoss);
}
