namespace SharpShot.Inference.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void Concurrent_predictions_on_one_model_equal_a_single_threaded_run()
    {
        using var model = OnnxModel.Load(TestModels.Conv());
        const int sampleCount = 64;
        var samples = Enumerable.Range(0, sampleCount).Select(i => Reference.Random(model.InputLength, seed: 100 + i)).ToArray();
        var expected = samples.Select(s => model.Predict(s)).ToArray();
        var expectedBatch = model.PredictBatch(samples.Take(4).SelectMany(s => s).ToArray(), 4);

        var results = new float[sampleCount * 8][];
        var batchResults = new float[sampleCount][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            // Mix the span and array overloads and batches so every entry point runs concurrently.
            var sample = samples[i % sampleCount];
            if (i % 2 == 0)
            {
                results[i] = model.Predict(sample);
            }
            else
            {
                var output = new float[model.OutputLength];
                model.Predict(sample, output);
                results[i] = output;
            }
            if (i % 8 == 0)
            {
                batchResults[i / 8] = model.PredictBatch(samples.Take(4).SelectMany(s => s).ToArray(), 4);
            }
        });

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i % sampleCount], results[i]);
        }
        Assert.All(batchResults, b => Assert.Equal(expectedBatch, b));
    }

    [Fact]
    public void Concurrent_threads_with_different_batch_sizes_do_not_mix_shapes()
    {
        using var model = OnnxModel.Load(TestModels.Dense());
        var samples = Reference.Random(7 * TestModels.DenseInputs, seed: 200);
        var expected = Enumerable.Range(1, 7)
            .Select(n => model.PredictBatch(samples.AsSpan(0, n * TestModels.DenseInputs), n))
            .ToArray();

        Parallel.For(0, 700, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var n = i % 7 + 1;
            var actual = model.PredictBatch(samples.AsSpan(0, n * TestModels.DenseInputs), n);
            Assert.Equal(expected[n - 1], actual);
        });
    }
}
