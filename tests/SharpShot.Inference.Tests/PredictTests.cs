namespace SharpShot.Inference.Tests;

public class PredictTests
{
    [Fact]
    public void Dense_predict_matches_hand_computed_values()
    {
        using var model = OnnxModel.Load(TestModels.Dense());
        var sample = Reference.Random(TestModels.DenseInputs, seed: 1);

        var output = model.Predict(sample);

        Reference.AssertClose(TestModels.ExpectedDense(sample), output);
    }

    [Fact]
    public void Predict_into_a_span_writes_only_the_output_values()
    {
        using var model = OnnxModel.Load(TestModels.Dense());
        var sample = Reference.Random(TestModels.DenseInputs, seed: 2);
        var output = new float[TestModels.DenseOutputs + 2];
        output.AsSpan().Fill(42f);

        model.Predict(sample, output);

        Reference.AssertClose(TestModels.ExpectedDense(sample), output.AsSpan(0, TestModels.DenseOutputs));
        Assert.Equal([42f, 42f], output[TestModels.DenseOutputs..]);
    }

    [Fact]
    public void Softmax_outputs_are_probabilities_matching_hand_computed_values()
    {
        using var model = OnnxModel.Load(TestModels.DenseSoftmax());
        var sample = Reference.Random(TestModels.DenseInputs, seed: 3);

        var probabilities = model.Predict(sample);

        Reference.AssertClose(Reference.Softmax(TestModels.ExpectedDense(sample)), probabilities);
        Assert.Equal(1f, probabilities.Sum(), 5);
    }

    [Fact]
    public void Conv_predict_matches_hand_computed_convolution()
    {
        using var model = OnnxModel.Load(TestModels.Conv());
        var sample = Reference.Random(model.InputLength, seed: 4);

        var output = model.Predict(sample);

        Reference.AssertClose(TestModels.ExpectedConv(sample), output);
        Assert.Contains(output, v => v == 0f); // Relu clipped something, so the check covers it
        Assert.Contains(output, v => v > 0f);
    }

    [Fact]
    public void PredictBatch_matches_per_sample_reference_in_order()
    {
        using var model = OnnxModel.Load(TestModels.Conv());
        const int batch = 5;
        var samples = Reference.Random(batch * model.InputLength, seed: 5);

        var outputs = model.PredictBatch(samples, batch);

        Assert.Equal(batch * model.OutputLength, outputs.Length);
        for (var i = 0; i < batch; i++)
        {
            var expected = TestModels.ExpectedConv(samples.AsSpan(i * model.InputLength, model.InputLength));
            Reference.AssertClose(expected, outputs.AsSpan(i * model.OutputLength, model.OutputLength));
        }
    }

    [Fact]
    public void PredictBatch_into_a_longer_span_leaves_the_tail_alone()
    {
        using var model = OnnxModel.Load(TestModels.Dense());
        var samples = Reference.Random(3 * TestModels.DenseInputs, seed: 6);
        var outputs = new float[3 * TestModels.DenseOutputs + 1];
        outputs[^1] = -7f;

        model.PredictBatch(samples, 3, outputs);

        for (var i = 0; i < 3; i++)
        {
            var expected = TestModels.ExpectedDense(samples.AsSpan(i * TestModels.DenseInputs, TestModels.DenseInputs));
            Reference.AssertClose(expected, outputs.AsSpan(i * TestModels.DenseOutputs, TestModels.DenseOutputs));
        }
        Assert.Equal(-7f, outputs[^1]);
    }

    [Fact]
    public void Classify_returns_the_argmax_and_ClassifyBatch_does_so_per_sample()
    {
        using var model = OnnxModel.Load(TestModels.DenseSoftmax());
        const int batch = 16;
        var samples = Reference.Random(batch * TestModels.DenseInputs, seed: 8);
        var expected = Enumerable.Range(0, batch)
            .Select(i => ArgMax(TestModels.ExpectedDense(samples.AsSpan(i * TestModels.DenseInputs, TestModels.DenseInputs))))
            .ToArray();
        Assert.True(expected.Distinct().Count() > 1, "the samples should not all fall in one class");

        var batchClasses = model.ClassifyBatch(samples, batch);
        var singleClasses = Enumerable.Range(0, batch)
            .Select(i => model.Classify(samples.AsSpan(i * TestModels.DenseInputs, TestModels.DenseInputs)))
            .ToArray();

        Assert.Equal(expected, batchClasses);
        Assert.Equal(expected, singleClasses);
    }

    [Fact]
    public void Classify_handles_outputs_larger_than_the_stack_buffer_and_picks_the_first_of_ties()
    {
        using var model = OnnxModel.Load(TestModels.Wide(1000));
        var sample = new float[1000];
        sample.AsSpan().Fill(5f);
        sample[700] = -3f; // Neg makes this the largest output
        sample[900] = -3f; // a tie, later

        Assert.Equal(700, model.Classify(sample));
        Assert.Equal([700, 0], model.ClassifyBatch([.. sample, .. new float[1000]], 2));
    }

    [Fact]
    public void Symbolic_sample_axes_use_the_metadata_shape_and_output_shape_is_probed()
    {
        using var model = OnnxModel.Load(TestModels.OpenWidth("6"));

        Assert.Equal([6], model.InputShape);
        Assert.Equal([6], model.OutputShape);
        Assert.Equal([3f, 1f, -1f, 2f, 21f, 1f], model.Predict([1f, 0f, -1f, 0.5f, 10f, 0f]));
        Assert.Equal(12, model.PredictBatch(new float[12], 2).Length);
    }

    [Fact]
    public void Fixed_batch_of_one_predicts_single_samples()
    {
        using var model = OnnxModel.Load(TestModels.FixedBatch(1));

        Assert.Equal(1, model.FixedBatchSize);
        Assert.Equal([1f, 0f, 3f, 0f], model.Predict([1f, -2f, 3f, -4f]));
        Assert.Equal([0f, 2f, 0f, 4f], model.PredictBatch([-1f, 2f, -3f, 4f], 1));
    }

    [Fact]
    public void Fixed_batch_larger_than_one_requires_that_batch_size()
    {
        using var model = OnnxModel.Load(TestModels.FixedBatch(2));

        Assert.Equal(2, model.FixedBatchSize);
        Assert.Equal([1f, 0f, 0f, 0f, 0f, 0f, 0f, 8f], model.PredictBatch([1f, -1f, -1f, -1f, -1f, -1f, -1f, 8f], 2));
        var single = Assert.Throws<InvalidOperationException>(() => model.Predict(new float[4]));
        var wrongBatch = Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictBatch(new float[12], 3));
        Assert.Contains("fixed batch size of 2", single.Message);
        Assert.Contains("fixed batch size of 2", wrongBatch.Message);
        Assert.Contains("batch of 3", wrongBatch.Message);
    }

    [Fact]
    public void Ir_version_3_model_with_initializers_listed_as_inputs_has_one_data_input()
    {
        using var model = OnnxModel.Load(TestModels.Dense(opset: 8));
        var sample = Reference.Random(TestModels.DenseInputs, seed: 9);

        Assert.Equal("features", model.InputName);
        Reference.AssertClose(TestModels.ExpectedDense(sample), model.Predict(sample));
    }

    [Fact]
    public void Options_change_how_the_session_runs_not_what_it_computes()
    {
        var sample = Reference.Random(TestModels.ConvChannelsIn * TestModels.ConvSize * TestModels.ConvSize, seed: 10);
        using var defaults = OnnxModel.Load(TestModels.Conv());
        using var tuned = OnnxModel.Load(TestModels.Conv(), new OnnxModelOptions
        {
            IntraOpThreads = 1,
            InterOpThreads = 2,
            OptimizationLevel = OnnxOptimizationLevel.None,
        });

        Reference.AssertClose(defaults.Predict(sample), tuned.Predict(sample));
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
