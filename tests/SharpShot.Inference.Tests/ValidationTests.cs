namespace SharpShot.Inference.Tests;

public class ValidationTests
{
    [Fact]
    public void Wrong_sample_length_names_expected_count_shape_and_given_count()
    {
        using var model = OnnxModel.Load(TestModels.Conv());

        var e = Assert.Throws<ShapeMismatchException>(() => model.Predict(new float[49]));

        Assert.StartsWith("Expected 50 values per sample (shape [2, 5, 5]), got 49.", e.Message);
        Assert.Equal("sample", e.ParamName);
        Assert.Equal(50, e.ExpectedLength);
        Assert.Equal(49, e.ActualLength);
        Assert.IsAssignableFrom<ArgumentException>(e);
    }

    [Fact]
    public void Every_single_sample_method_validates_the_sample()
    {
        using var model = OnnxModel.Load(TestModels.Dense());

        Assert.Throws<ShapeMismatchException>(() => model.Predict(new float[5]));
        Assert.Throws<ShapeMismatchException>(() => model.Predict(new float[3], new float[3]));
        Assert.Throws<ShapeMismatchException>(() => model.Classify(ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void Wrong_batch_length_names_the_arithmetic()
    {
        using var model = OnnxModel.Load(TestModels.Conv());

        var e = Assert.Throws<ShapeMismatchException>(() => model.PredictBatch(new float[140], 3));

        Assert.StartsWith("Expected 3 x 50 = 150 values for a batch of 3, got 140.", e.Message);
        Assert.Equal("samples", e.ParamName);
        Assert.Throws<ShapeMismatchException>(() => model.ClassifyBatch(new float[160], 3));
        Assert.Throws<ShapeMismatchException>(() => model.PredictBatch(new float[150], 3, new float[224]));
        Assert.Throws<ShapeMismatchException>(() => model.PredictBatch(new float[50], 3, new float[225]));
    }

    [Fact]
    public void Too_small_output_spans_are_rejected_before_running()
    {
        using var model = OnnxModel.Load(TestModels.Dense());
        var single = new float[2];
        single.AsSpan().Fill(9f);

        var one = Assert.Throws<ShapeMismatchException>(() => model.Predict(new float[4], single));
        var batch = Assert.Throws<ShapeMismatchException>(() => model.PredictBatch(new float[8], 2, new float[5]));

        Assert.StartsWith("The output span holds 2 values; one sample needs 3 (output shape [3]).", one.Message);
        Assert.Equal("output", one.ParamName);
        Assert.Equal([9f, 9f], single);
        Assert.StartsWith("The output span holds 5 values; a batch of 2 needs 2 x 3 = 6.", batch.Message);
        Assert.Equal("outputs", batch.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Batch_size_must_be_positive(int batchSize)
    {
        using var model = OnnxModel.Load(TestModels.Dense());

        Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictBatch([], batchSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictBatch([], batchSize, new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ClassifyBatch([], batchSize));
    }

    [Fact]
    public void Use_after_dispose_throws_ObjectDisposedException_and_dispose_is_idempotent()
    {
        var model = OnnxModel.Load(TestModels.Dense());
        var sample = new float[TestModels.DenseInputs];
        model.Predict(sample);

        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Predict(sample));
        Assert.Throws<ObjectDisposedException>(() => model.Predict(sample, new float[3]));
        Assert.Throws<ObjectDisposedException>(() => model.PredictBatch(sample, 1));
        Assert.Throws<ObjectDisposedException>(() => model.PredictBatch(sample, 1, new float[3]));
        Assert.Throws<ObjectDisposedException>(() => model.Classify(sample));
        Assert.Throws<ObjectDisposedException>(() => model.ClassifyBatch(sample, 1));
        Assert.Equal([4], model.InputShape); // plain data stays readable
    }
}
