namespace SharpShot.Inference.Tests;

public class AllocationTests
{
    private const int Calls = 2000;

    [Fact]
    public void Span_predictions_allocate_nothing_in_steady_state()
    {
        using var model = OnnxModel.Load(TestModels.Conv());
        var sample = Reference.Random(model.InputLength, seed: 300);
        var output = new float[model.OutputLength];
        var batchOutput = new float[2 * model.OutputLength];
        var twoSamples = sample.Concat(sample).ToArray();

        var predict = BytesPerCall(() => model.Predict(sample, output));
        var classify = BytesPerCall(() => model.Classify(sample));
        var batch = BytesPerCall(() => model.PredictBatch(twoSamples, 2, batchOutput));

        // Below one byte per call on average: nothing is allocated per call (the IO binding is set up once per thread and batch size).
        Assert.True(predict < 1, $"Predict(span, span) allocated {predict} B per call.");
        Assert.True(classify < 1, $"Classify allocated {classify} B per call.");
        Assert.True(batch < 1, $"PredictBatch(span, n, span) allocated {batch} B per call.");
        Reference.AssertClose(TestModels.ExpectedConv(sample), output);
        Reference.AssertClose(TestModels.ExpectedConv(sample), batchOutput.AsSpan(model.OutputLength));
    }

    [Fact]
    public void Switching_between_a_few_batch_sizes_allocates_nothing()
    {
        // A few-shot fit embeds the support set (25 samples), then one query; dynamic batching varies the size.
        using var model = OnnxModel.Load(TestModels.Conv());
        var sample = Reference.Random(model.InputLength, seed: 302);
        var support = Enumerable.Repeat(sample, 25).SelectMany(s => s).ToArray();
        var supportOutput = new float[25 * model.OutputLength];
        var queryOutput = new float[model.OutputLength];
        var fourOutput = new float[4 * model.OutputLength];

        var switching = BytesPerCall(() =>
        {
            model.PredictBatch(support, 25, supportOutput);
            model.Predict(sample, queryOutput);
            model.PredictBatch(support.AsSpan(0, 4 * model.InputLength), 4, fourOutput);
        });

        Assert.True(switching < 1, $"Switching among three batch sizes allocated {switching} B per round.");
        Reference.AssertClose(TestModels.ExpectedConv(sample), queryOutput);
        Reference.AssertClose(TestModels.ExpectedConv(sample), supportOutput.AsSpan(24 * model.OutputLength));
    }

    [Fact]
    public void Alternating_batch_sizes_still_give_right_answers()
    {
        using var model = OnnxModel.Load(TestModels.Conv());
        var sample = Reference.Random(model.InputLength, seed: 301);
        var expected = TestModels.ExpectedConv(sample);
        for (var i = 1; i <= 5; i++)
        {
            var batch = Enumerable.Repeat(sample, i).SelectMany(s => s).ToArray();
            var outputs = model.PredictBatch(batch, i);
            Reference.AssertClose(expected, outputs.AsSpan((i - 1) * model.OutputLength, model.OutputLength));
            Reference.AssertClose(expected, model.Predict(sample));
        }
    }

    private static double BytesPerCall(Action call)
    {
        for (var i = 0; i < 100; i++)
        {
            call();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            call();
        }
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }
}
