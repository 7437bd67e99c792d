namespace SharpShot.Inference.Tests;

public class FewShotValidationTests
{
    private static readonly float[] Support = [0f, 0f, 5f, 0f, 1f, 0f, 2f, 0f, 0f];

    [Fact]
    public void Every_use_before_Fit_throws_InvalidOperationException()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        float[] query = [1f, 2f, 3f];

        var e = Assert.Throws<InvalidOperationException>(() => classifier.Predict(query));
        Assert.Contains("call Fit", e.Message);
        Assert.Throws<InvalidOperationException>(() => classifier.Predict(query, new int[1]));
        Assert.Throws<InvalidOperationException>(() => classifier.PredictLabels(query));
        Assert.Throws<InvalidOperationException>(() => classifier.PredictProbabilities(query));
        Assert.Throws<InvalidOperationException>(() => classifier.PredictProbabilities(query, new float[4]));
        Assert.Throws<InvalidOperationException>(() => classifier.Classify(query));
        Assert.Throws<InvalidOperationException>(() => classifier.ClassifyLabel(query));
        Assert.Throws<InvalidOperationException>(() => classifier.GetPrototypes());
        Assert.Throws<InvalidOperationException>(() => classifier.ExportAdaptedBytes());
        Assert.False(classifier.IsFitted);
        Assert.Empty(classifier.Classes);
        Assert.Equal(0, classifier.ClassCount);
        // The embedding itself needs no prototypes.
        Assert.Equal([1f, 5f], classifier.Embed(query));
    }

    [Fact]
    public void Support_samples_that_do_not_match_the_labels_name_the_arithmetic()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        var e = Assert.Throws<ShapeMismatchException>(() => classifier.Fit(Support, ["a", "b"]));

        Assert.StartsWith("Expected 2 x 3 = 6 support values for 2 labels (sample shape [3]), got 9 (3 samples).", e.Message);
        Assert.Equal("supportSamples", e.ParamName);
        Assert.Equal(6, e.ExpectedLength);
        Assert.Equal(9, e.ActualLength);
        var partial = Assert.Throws<ShapeMismatchException>(() => classifier.Fit(Support.AsSpan(0, 8), [1, 2, 3]));
        Assert.Contains("got 8 (not a whole number of samples)", partial.Message);
    }

    [Fact]
    public void An_empty_support_set_is_rejected()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        var empty = Assert.Throws<ArgumentException>(() => classifier.Fit([], Array.Empty<string>()));
        var emptyInts = Assert.Throws<ArgumentException>(() => classifier.Fit([], ReadOnlySpan<int>.Empty));
        var noLabels = Assert.Throws<ShapeMismatchException>(() => classifier.Fit(Support, Array.Empty<string>()));

        Assert.IsNotType<ShapeMismatchException>(empty);
        Assert.Contains("support set is empty", empty.Message);
        Assert.Contains("support set is empty", emptyInts.Message);
        Assert.Contains("no labels", noLabels.Message);
        Assert.False(classifier.IsFitted);
    }

    [Fact]
    public void Bad_labels_are_rejected()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Fit(Support, [0, -2, 1]));
        var nullLabel = Assert.Throws<ArgumentException>(() => classifier.Fit(Support, ["a", null!, "b"]));
        Assert.Throws<ArgumentNullException>(() => classifier.Fit(Support, (IReadOnlyList<string>)null!));

        Assert.Contains("Support label 1 is -2", negative.Message);
        Assert.Contains("Support label 1 is null", nullLabel.Message);
    }

    [Fact]
    public void A_support_sample_with_a_non_finite_embedding_is_rejected_and_the_previous_fit_kept()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(Support, ["a", "b", "a"]);
        var before = classifier.GetPrototypes();

        var e = Assert.Throws<ArgumentException>(() => classifier.Fit([0f, 0f, 0f, float.NaN, 1f, 0f], ["p", "q"]));
        Assert.Throws<ShapeMismatchException>(() => classifier.Fit([1f], ["p"]));

        Assert.Contains("support sample 1 (class 'q')", e.Message);
        Assert.Equal(["a", "b"], classifier.Classes);
        Assert.Equal(before, classifier.GetPrototypes());
    }

    [Fact]
    public void Queries_that_are_not_whole_samples_are_rejected()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(Support, ["a", "b", "a"]);

        var batch = Assert.Throws<ShapeMismatchException>(() => classifier.PredictProbabilities(new float[7]));
        var single = Assert.Throws<ShapeMismatchException>(() => classifier.Classify(new float[6]));
        Assert.Throws<ShapeMismatchException>(() => classifier.Predict(new float[4]));
        Assert.Throws<ShapeMismatchException>(() => classifier.PredictLabels(new float[2]));
        Assert.Throws<ShapeMismatchException>(() => classifier.ClassifyLabel(new float[2]));
        Assert.Throws<ShapeMismatchException>(() => classifier.Embed(new float[1]));

        Assert.StartsWith("Expected a whole number of samples of 3 values each (shape [3]), got 7 values: 2 samples and 1 values left over.", batch.Message);
        Assert.Equal("querySamples", batch.ParamName);
        Assert.StartsWith("Expected 3 values per sample (shape [3]), got 6.", single.Message);
        Assert.Equal("sample", single.ParamName);
    }

    [Fact]
    public void Too_short_output_spans_are_rejected_before_running()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(Support, ["a", "b", "a"]);
        var probabilities = new float[3];
        probabilities.AsSpan().Fill(9f);

        var e = Assert.Throws<ShapeMismatchException>(() => classifier.PredictProbabilities(new float[6], probabilities));
        Assert.Throws<ShapeMismatchException>(() => classifier.Predict(new float[6], new int[1]));

        Assert.StartsWith("The probabilities span holds 3 values; 2 queries need 2 x 2 classes = 4.", e.Message);
        Assert.Equal([9f, 9f, 9f], probabilities);
    }

    [Fact]
    public void A_model_whose_output_is_not_one_vector_per_sample_is_rejected_at_load()
    {
        var e = Assert.Throws<OnnxModelLoadException>(() => FewShotClassifier.Load(FewShotModels.ConvWithoutFlatten()));

        Assert.Contains("one vector per sample", e.Message);
        Assert.Contains("'features' has the per-sample shape [3, 5, 5]", e.Message);
        Assert.Contains("Flatten", e.Message);
    }

    [Fact]
    public void A_missing_file_and_a_non_model_fail_like_OnnxModel()
    {
        using var folder = new TempFolder();

        Assert.Throws<FileNotFoundException>(() => FewShotClassifier.Load(Path.Combine(folder.Path, "missing.onnx")));
        Assert.Throws<OnnxModelLoadException>(() => FewShotClassifier.Load(new byte[] { 1, 2, 3, 4 }));
        Assert.Throws<OnnxModelLoadException>(() => FewShotClassifier.Load(TestModels.TwoOutputs()));
    }

    [Fact]
    public void The_loaded_bytes_are_copied()
    {
        var bytes = FewShotModels.Linear();
        using var classifier = FewShotClassifier.Load(bytes);
        classifier.Fit(Support, ["a", "b", "a"]);
        Array.Clear(bytes);

        using var adapted = OnnxModel.Load(classifier.ExportAdaptedBytes());

        Reference.AssertClose(classifier.PredictProbabilities(Support), adapted.PredictBatch(Support, 3));
    }

    [Fact]
    public void Use_after_dispose_throws_ObjectDisposedException_and_dispose_is_idempotent()
    {
        var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(Support, ["a", "b", "a"]);

        classifier.Dispose();
        classifier.Dispose();

        Assert.Throws<ObjectDisposedException>(() => classifier.Predict(Support));
        Assert.Throws<ObjectDisposedException>(() => classifier.PredictProbabilities(Support));
        Assert.Throws<ObjectDisposedException>(() => classifier.Classify(Support.AsSpan(0, 3)));
        Assert.Throws<ObjectDisposedException>(() => classifier.Embed(Support));
        Assert.Throws<ObjectDisposedException>(() => classifier.Fit(Support, ["a", "b", "a"]));
        Assert.Throws<ObjectDisposedException>(() => classifier.ExportAdaptedBytes());
    }
}
