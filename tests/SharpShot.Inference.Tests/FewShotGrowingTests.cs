namespace SharpShot.Inference.Tests;

/// <summary>
/// A few-shot classifier that grows (more examples, new classes) and shrinks (a class removed) without refitting the
/// others, and answers "unknown" for a query far from every prototype. Embedding e = (x0, 2·x1 + 1)
/// (<see cref="FewShotModels.Linear"/>), so every distance below is worked by hand.
/// </summary>
public class FewShotGrowingTests
{
    // Class "a" embeds to (0, 1) and (2, 1), prototype (1, 1); class "b" to (0, 3), (0, 5) and (3, 4), prototype (1, 4).
    private static readonly float[] Support = [0f, 0f, 5f, 0f, 1f, 0f, 2f, 0f, 0f, 0f, 2f, -1f, 3f, 1.5f, 0f];
    private static readonly string[] Labels = ["a", "b", "a", "b", "b"];

    private static float[] Sample(float e0, float e1) => [e0, (e1 - 1) / 2, 0f];

    [Fact]
    public void Added_examples_give_the_prototypes_a_fit_of_all_of_them_gives_bit_for_bit()
    {
        using var grown = FewShotClassifier.Load(FewShotModels.Linear());
        using var fitted = FewShotClassifier.Load(FewShotModels.Linear());

        grown.Fit(Support.AsSpan(0, 9), Labels[..3]);
        grown.AddExamples(Support.AsSpan(9), Labels[3..]);
        grown.AddExamples(Sample(8, 8), ["c"]);
        fitted.Fit([.. Support, .. Sample(8, 8)], [.. Labels, "c"]);

        Assert.Equal(["a", "b", "c"], grown.Classes);
        Assert.Equal(fitted.GetPrototypes(), grown.GetPrototypes());
        Assert.Equal([1f, 1f, 1f, 4f, 8f, 8f], grown.GetPrototypes());
        Assert.Equal([0, 1, 2], grown.Predict([.. Sample(1, 2), .. Sample(1, 5), .. Sample(9, 9)]));
    }

    [Fact]
    public void Adding_before_any_fit_fits_and_a_bad_example_changes_nothing()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.AddExamples(Support, Labels);
        var before = classifier.GetPrototypes();

        Assert.Throws<ArgumentException>(() => classifier.AddExamples([float.NaN, 0f, 0f], ["a"]));
        Assert.Throws<ShapeMismatchException>(() => classifier.AddExamples([1f, 2f], ["a"]));

        Assert.Equal([1f, 1f, 1f, 4f], before);
        Assert.Equal(before, classifier.GetPrototypes());
    }

    [Fact]
    public void A_removed_class_takes_its_examples_and_leaves_the_others_untouched()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit([.. Support, .. Sample(8, 8)], [.. Labels, "c"]);

        classifier.RemoveClass("a");

        Assert.Equal(["b", "c"], classifier.Classes);
        Assert.Equal([1f, 4f, 8f, 8f], classifier.GetPrototypes());
        Assert.Equal([0, 0], classifier.Predict([.. Sample(1, 1), .. Sample(1, 5)]));
        var unknown = Assert.Throws<ArgumentException>(() => classifier.RemoveClass("z"));
        Assert.Contains("'b', 'c'", unknown.Message);
        classifier.RemoveClass("c");
        Assert.Throws<InvalidOperationException>(() => classifier.RemoveClass("b"));
        using var unfitted = FewShotClassifier.Load(FewShotModels.Linear());
        Assert.Throws<InvalidOperationException>(() => unfitted.RemoveClass("b"));
    }

    [Fact]
    public void The_rejection_distance_is_the_largest_leave_one_out_distance_of_the_support_set()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(Support, Labels);

        // Leave-one-out: "a" 2 and 2; "b" √4.5, √4.5 and 3 ((3, 4) against the mean (0, 4) of the other two).
        Assert.Equal(3.0, classifier.RejectionDistance!.Value, 5);
        // (1, 2) is 1 from "a"; (10, 10) is √117 ≈ 10.8 from "b", its nearest.
        Assert.Equal([0, -1], classifier.PredictOrUnknown([.. Sample(1, 2), .. Sample(10, 10)]));
        Assert.Equal([0, 1], classifier.Predict([.. Sample(1, 2), .. Sample(10, 10)]));
        Assert.Equal("a", classifier.ClassifyLabelOrUnknown(Sample(1, 2)));
        Assert.Null(classifier.ClassifyLabelOrUnknown(Sample(10, 10)));
    }

    [Fact]
    public void With_one_example_per_class_it_is_half_the_smallest_distance_between_prototypes()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit([.. Sample(0, 1), .. Sample(0, 5), .. Sample(20, 1)], ["a", "b", "c"]);

        Assert.Equal(2.0, classifier.RejectionDistance!.Value, 5);
        // (0, 2.5) is 1.5 from "a"; (3, 3) is √13 ≈ 3.6 from both "a" and "b".
        Assert.Equal([0, -1], classifier.PredictOrUnknown([.. Sample(0, 2.5f), .. Sample(3, 3)]));

        classifier.Fit(Sample(0, 1), ["only"]);
        Assert.Equal(double.PositiveInfinity, classifier.RejectionDistance);
        Assert.Equal([0], classifier.PredictOrUnknown(Sample(1000, 1000)));
    }

    [Fact]
    public void An_apps_own_rejection_distance_holds_across_fits_until_reset()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        Assert.Throws<InvalidOperationException>(() => classifier.RejectionDistance);
        classifier.Fit(Support, Labels);

        classifier.RejectionDistance = 0.5;
        Assert.Equal([-1], classifier.PredictOrUnknown(Sample(1, 2)));
        classifier.AddExamples(Sample(1, 2), ["a"]);
        Assert.Equal(0.5, classifier.RejectionDistance);
        classifier.RejectionDistance = null;
        Assert.Equal([0], classifier.PredictOrUnknown(Sample(1, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.RejectionDistance = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.RejectionDistance = -1);
    }

    [Fact]
    public void Prototype_sets_grow_and_shrink_on_embeddings_made_elsewhere()
    {
        float[] embeddings = [0f, 1f, 0f, 3f, 2f, 1f];
        var set = PrototypeSet.FromEmbeddings(embeddings, 2, ["a", "b", "a"]);
        var grown = set.WithExamples([0f, 5f, 9f, 9f], ["b", "new"]);
        var shrunk = grown.WithoutClass("b");

        Assert.Equal([1f, 1f, 0f, 3f], set.Values.ToArray());
        Assert.Equal(["a", "b", "new"], grown.Classes);
        Assert.Equal([2, 2, 1], grown.SupportCounts);
        Assert.Equal([1f, 1f, 0f, 4f, 9f, 9f], grown.Values.ToArray());
        Assert.Equal(["a", "new"], shrunk.Classes);
        Assert.Equal([1f, 1f, 9f, 9f], shrunk.Values.ToArray());
        var classes = new int[2];
        var distances = new float[2];
        shrunk.Nearest([1f, 2f, 50f, 50f], 2, shrunk.RejectionDistance, classes, distances);
        Assert.Equal([0, -1], classes);
        Assert.Equal(1f, distances[0], 5);
        Assert.Throws<ArgumentException>(() => grown.WithExamples([1f], ["a"]));
    }
}
