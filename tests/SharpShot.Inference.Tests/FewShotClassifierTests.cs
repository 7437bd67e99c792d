using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

public class FewShotClassifierTests
{
    // Linear embedding e = (x0, 2·x1 + 1): class "a" embeds to (0, 1) and (2, 1), prototype (1, 1);
    // class "b" to (0, 3), (0, 5) and (3, 4), prototype (1, 4). Labels interleaved, "a" first.
    private static readonly float[] HandSupport =
    [
        0f, 0f, 5f,
        0f, 1f, 0f,
        2f, 0f, 0f,
        0f, 2f, -1f,
        3f, 1.5f, 0f,
    ];

    private static readonly string[] HandLabels = ["a", "b", "a", "b", "b"];

    // Queries embed to (1, 2): squared distances 1 and 4; and (4, 3): squared distances 13 and 10.
    private static readonly float[] HandQueries = [1f, 0.5f, 0f, 4f, 1f, 0f];

    [Fact]
    public void Prototypes_and_probabilities_match_the_hand_computation()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        classifier.Fit(HandSupport, HandLabels);

        Assert.Equal(["a", "b"], classifier.Classes);
        Assert.Equal(2, classifier.ClassCount);
        Assert.True(classifier.IsFitted);
        Assert.Equal([1f, 1f, 1f, 4f], classifier.GetPrototypes());
        // softmax(−1, −4) = (1, e^−3) / (1 + e^−3); softmax(−13, −10) = (e^−3, 1) / (1 + e^−3).
        var near = (float)(1 / (1 + Math.Exp(-3)));
        var far = (float)(Math.Exp(-3) / (1 + Math.Exp(-3)));
        Reference.AssertClose([near, far, far, near], classifier.PredictProbabilities(HandQueries), 1e-6f);
        Assert.Equal([0, 1], classifier.Predict(HandQueries));
        Assert.Equal(["a", "b"], classifier.PredictLabels(HandQueries));
        Assert.Equal(0, classifier.Classify(HandQueries.AsSpan(0, 3)));
        Assert.Equal("b", classifier.ClassifyLabel(HandQueries.AsSpan(3, 3)));
    }

    [Fact]
    public void Integer_labels_name_classes_in_order_of_first_appearance()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        classifier.Fit(HandSupport, [7, 3, 7, 3, 3]);

        Assert.Equal(["7", "3"], classifier.Classes);
        Assert.Equal([1f, 1f, 1f, 4f], classifier.GetPrototypes());
        Assert.Equal([0, 1], classifier.Predict(HandQueries));
        Assert.Equal(["7", "3"], classifier.PredictLabels(HandQueries));
    }

    [Fact]
    public void Dense_embedding_five_way_three_shot_matches_reference()
    {
        using var classifier = FewShotClassifier.Load(TestModels.Dense());
        var support = Enumerable.Range(0, 15).Select(i => Reference.Random(TestModels.DenseInputs, seed: 300 + i)).ToArray();
        string[] labels = [.. Enumerable.Range(0, 15).Select(i => $"class {(i * 7) % 5}")];
        var queries = Enumerable.Range(0, 9).Select(i => Reference.Random(TestModels.DenseInputs, seed: 400 + i)).ToArray();

        classifier.Fit(FewShotModels.Concat(support), labels);

        var (classes, prototypes) = FewShotModels.Prototypes(support.Select(s => TestModels.ExpectedDense(s)).ToArray(), labels);
        Assert.Equal(classes, classifier.Classes);
        Reference.AssertClose(FewShotModels.Concat(prototypes), classifier.GetPrototypes());
        var embeddings = queries.Select(q => TestModels.ExpectedDense(q)).ToArray();
        var expected = FewShotModels.Concat(embeddings.Select(e => FewShotModels.Probabilities(e, prototypes)));
        Reference.AssertClose(expected, classifier.PredictProbabilities(FewShotModels.Concat(queries)));
        Assert.Equal(embeddings.Select(e => FewShotModels.Nearest(e, prototypes)), classifier.Predict(FewShotModels.Concat(queries)));
        Reference.AssertClose(FewShotModels.Concat(embeddings), classifier.Embed(FewShotModels.Concat(queries)));
    }

    [Fact]
    public void Conv_flatten_embedding_matches_reference()
    {
        using var classifier = FewShotClassifier.Load(TestModels.Conv());
        var length = TestModels.ConvChannelsIn * TestModels.ConvSize * TestModels.ConvSize;
        var support = Enumerable.Range(0, 6).Select(i => Reference.Random(length, seed: 500 + i)).ToArray();
        int[] labels = [2, 0, 1, 2, 0, 1];
        var queries = Enumerable.Range(0, 4).Select(i => Reference.Random(length, seed: 600 + i)).ToArray();

        classifier.Fit(FewShotModels.Concat(support), labels);

        Assert.Equal([2, 5, 5], classifier.InputShape);
        Assert.Equal(75, classifier.EmbeddingLength);
        var (classes, prototypes) = FewShotModels.Prototypes(
            support.Select(s => TestModels.ExpectedConv(s)).ToArray(), labels.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal(["2", "0", "1"], classes);
        Assert.Equal(classes, classifier.Classes);
        Reference.AssertClose(FewShotModels.Concat(prototypes), classifier.GetPrototypes());
        var expected = FewShotModels.Concat(queries.Select(q => FewShotModels.Probabilities(TestModels.ExpectedConv(q), prototypes)));
        Reference.AssertClose(expected, classifier.PredictProbabilities(FewShotModels.Concat(queries)));
    }

    [Fact]
    public void Single_sample_and_span_overloads_agree_with_the_batch_ones()
    {
        using var classifier = FewShotClassifier.Load(TestModels.Dense());
        classifier.Fit(Reference.Random(6 * TestModels.DenseInputs, seed: 700), [0, 1, 2, 0, 1, 2]);
        var queries = Reference.Random(5 * TestModels.DenseInputs, seed: 701);
        var probabilities = classifier.PredictProbabilities(queries);
        var classes = classifier.Predict(queries);

        var intoSpan = new float[probabilities.Length + 2];
        intoSpan.AsSpan().Fill(-7f);
        classifier.PredictProbabilities(queries, intoSpan);
        var indices = new int[classes.Length + 1];
        classifier.Predict(queries, indices);

        Assert.Equal(probabilities, intoSpan[..probabilities.Length]);
        Assert.Equal([-7f, -7f], intoSpan[probabilities.Length..]);
        Assert.Equal(classes, indices[..classes.Length]);
        for (var q = 0; q < 5; q++)
        {
            var sample = queries.AsSpan(q * TestModels.DenseInputs, TestModels.DenseInputs);
            Assert.Equal(probabilities.AsSpan(q * 3, 3).ToArray(), classifier.PredictProbabilities(sample));
            Assert.Equal(classes[q], classifier.Classify(sample));
            Assert.Equal(classifier.Classes[classes[q]], classifier.ClassifyLabel(sample));
        }
        for (var c = 0; c < classes.Length; c++)
        {
            Assert.InRange(probabilities.AsSpan(c * 3, 3).ToArray().Sum(), 1 - 1e-6f, 1 + 1e-6f);
        }
    }

    [Fact]
    public void No_queries_give_empty_results()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(HandSupport, HandLabels);

        Assert.Empty(classifier.Predict([]));
        Assert.Empty(classifier.PredictProbabilities([]));
        Assert.Empty(classifier.PredictLabels([]));
        Assert.Empty(classifier.Embed([]));
    }

    [Fact]
    public void Large_sets_run_in_several_batches_with_the_same_results()
    {
        // 300 samples is more than one run of the embedding (128), including a partial last run.
        using var classifier = FewShotClassifier.Load(TestModels.Dense());
        var support = Enumerable.Range(0, 300).Select(i => Reference.Random(TestModels.DenseInputs, seed: 800 + i)).ToArray();
        string[] labels = [.. Enumerable.Range(0, 300).Select(i => (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture))];

        classifier.Fit(FewShotModels.Concat(support), labels);

        var (_, prototypes) = FewShotModels.Prototypes(support.Select(s => TestModels.ExpectedDense(s)).ToArray(), labels);
        Reference.AssertClose(FewShotModels.Concat(prototypes), classifier.GetPrototypes());
        var expected = FewShotModels.Concat(support.Select(s => FewShotModels.Probabilities(TestModels.ExpectedDense(s), prototypes)));
        Reference.AssertClose(expected, classifier.PredictProbabilities(FewShotModels.Concat(support)));
    }

    [Fact]
    public void Fixed_batch_embedding_is_run_in_padded_batches()
    {
        // Relu over [2, 4] with the batch fixed at 2: three samples need a padded second run.
        using var classifier = FewShotClassifier.Load(TestModels.FixedBatch(2));
        float[] support = [1, 0, 0, 0, 0, 1, 0, 0, 3, 0, 0, 0];

        classifier.Fit(support, ["x", "y", "x"]);

        Assert.Equal([2f, 0, 0, 0, 0, 1, 0, 0], classifier.GetPrototypes());
        Assert.Equal([0, 1, 0], classifier.Predict([2, 0, 0, 0, 0, 2, 0, 0, 5, -1, 0, 0]));
        Assert.Equal(1, classifier.Classify([0, 1, 0, 0]));
    }

    [Fact]
    public void Refitting_replaces_classes_and_prototypes()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(HandSupport, HandLabels);

        // New classes: "c" embeds to (10, 1), "a" to (0, 1).
        classifier.Fit([10f, 0f, 0f, 0f, 0f, 0f], ["c", "a"]);

        Assert.Equal(["c", "a"], classifier.Classes);
        Assert.Equal([10f, 1f, 0f, 1f], classifier.GetPrototypes());
        Assert.Equal(["c", "a"], classifier.PredictLabels([9f, 0f, 0f, 1f, 0f, 0f]));
        Assert.Equal(4, classifier.PredictProbabilities(HandQueries).Length);

        using var fresh = FewShotClassifier.Load(FewShotModels.Linear());
        fresh.Fit([10f, 0f, 0f, 0f, 0f, 0f], ["c", "a"]);
        Assert.Equal(fresh.PredictProbabilities(HandQueries), classifier.PredictProbabilities(HandQueries));
    }

    [Fact]
    public void A_single_class_gets_probability_one()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());

        classifier.Fit([1f, 2f, 3f], ["only"]);

        Assert.Equal([1f, 1f], classifier.PredictProbabilities(HandQueries));
        Assert.Equal([0, 0], classifier.Predict(HandQueries));
    }

    [Fact]
    public void Loads_from_a_file_with_the_same_results_as_from_bytes()
    {
        using var folder = new TempFolder();
        var path = folder.WriteBytes("embedding.onnx", FewShotModels.Linear());

        using var fromFile = FewShotClassifier.Load(path, new OnnxModelOptions { IntraOpThreads = 1 });
        using var fromBytes = FewShotClassifier.Load(FewShotModels.Linear());
        fromFile.Fit(HandSupport, HandLabels);
        fromBytes.Fit(HandSupport, HandLabels);

        Assert.Equal(fromBytes.PredictProbabilities(HandQueries), fromFile.PredictProbabilities(HandQueries));
        Assert.Equal("3", fromFile.Metadata[SharpShotMetadata.InputShape]);
    }

    [Fact]
    public void Concurrent_predictions_equal_a_single_threaded_run()
    {
        using var classifier = FewShotClassifier.Load(TestModels.Conv());
        var length = TestModels.ConvChannelsIn * TestModels.ConvSize * TestModels.ConvSize;
        classifier.Fit(Reference.Random(8 * length, seed: 900), ["a", "b", "c", "d", "a", "b", "c", "d"]);
        var queries = Enumerable.Range(0, 32).Select(i => Reference.Random(length, seed: 1000 + i)).ToArray();
        var expected = queries.Select(q => classifier.PredictProbabilities(q)).ToArray();
        var expectedClasses = queries.Select(q => classifier.Classify(q)).ToArray();
        var expectedBatch = classifier.PredictProbabilities(FewShotModels.Concat(queries.Take(5)));

        Parallel.For(0, 512, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var q = i % queries.Length;
            switch (i % 4)
            {
                case 0:
                    Assert.Equal(expected[q], classifier.PredictProbabilities(queries[q]));
                    break;
                case 1:
                    Assert.Equal(expectedClasses[q], classifier.Classify(queries[q]));
                    break;
                case 2:
                    Assert.Equal(expectedBatch, classifier.PredictProbabilities(FewShotModels.Concat(queries.Take(5))));
                    break;
                default:
                    var into = new float[4];
                    classifier.PredictProbabilities(queries[q], into);
                    Assert.Equal(expected[q], into);
                    break;
            }
        });
    }
}
