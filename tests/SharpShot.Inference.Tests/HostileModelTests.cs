using System.Diagnostics;
using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

/// <summary>
/// Models are untrusted input: their declared sizes and external data locations must not make the host allocate
/// without bound or read files outside the model's folder. Each case fails with a typed error, quickly.
/// </summary>
public class HostileModelTests
{
    private static readonly OnnxDimension Batch = OnnxDimension.Symbolic("N");

    [Fact]
    public void A_model_declaring_a_huge_sample_is_refused_at_load_without_allocating_for_it()
    {
        // One sample of [1, 100000, 100000] floats would be 40 GB.
        var b = new OnnxGraphBuilder("huge");
        var x = b.AddInput("x", OnnxElementType.Float, [Batch, 1, 100_000, 100_000]);
        b.AddOutput(b.AddNode("Neg", [x], "y"), OnnxElementType.Float, [Batch, 1, 100_000, 100_000]);
        var bytes = b.ToBytes();

        var (e, elapsed, grownBytes) = Measure(() => Assert.Throws<LimitExceededException>(() => OnnxModel.Load(bytes)));

        Assert.Equal("OnnxModelOptions.MaxTensorElements", e.LimitName);
        Assert.Equal(OnnxModelOptions.DefaultMaxTensorElements, e.Limit);
        Assert.Equal(10_000_000_000L, e.Actual);
        Assert.Contains("[1, 100000, 100000]", e.Message);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}");
        Assert.True(grownBytes < 256L << 20, $"the managed heap grew by {grownBytes:N0} bytes");
    }

    [Fact]
    public void Input_shape_metadata_cannot_make_the_output_probe_allocate_without_bound()
    {
        // The output axis is open, so the host would run one all-zero sample of the metadata's shape to find it.
        var bytes = TestModels.OpenWidth("200000000");

        var e = Assert.Throws<LimitExceededException>(() => OnnxModel.Load(bytes));
        var small = Assert.Throws<LimitExceededException>(() =>
            OnnxModel.Load(TestModels.OpenWidth("5000"), new OnnxModelOptions { MaxTensorElements = 4999 }));

        Assert.Equal(200_000_000L, e.Actual);
        Assert.Equal(5000, small.Actual);
        using var fits = OnnxModel.Load(TestModels.OpenWidth("5000"), new OnnxModelOptions { MaxTensorElements = 5000 });
        Assert.Equal(5000, fits.OutputLength);
    }

    [Fact]
    public void A_batch_above_the_element_limit_is_refused_per_call()
    {
        using var model = OnnxModel.Load(TestModels.Dense(), new OnnxModelOptions { MaxTensorElements = 40 });

        var e = Assert.Throws<LimitExceededException>(() => model.PredictBatch(new float[11 * TestModels.DenseInputs], 11));

        Assert.Equal(44, e.Actual);
        Assert.Equal(10 * TestModels.DenseOutputs, model.PredictBatch(new float[10 * TestModels.DenseInputs], 10).Length);
    }

    [Fact]
    public void Model_files_and_bytes_above_the_size_limit_are_refused_before_they_are_parsed()
    {
        var bytes = TestModels.Conv();
        using var temp = new TempFolder();
        var path = temp.WriteBytes("conv.onnx", bytes);
        var options = new OnnxModelOptions { MaxModelBytes = bytes.Length - 1 };

        var fromFile = Assert.Throws<LimitExceededException>(() => OnnxModel.Load(path, options));
        var fromBytes = Assert.Throws<LimitExceededException>(() => OnnxModel.Load(bytes, options));

        Assert.Equal("OnnxModelOptions.MaxModelBytes", fromFile.LimitName);
        Assert.Contains(path, fromFile.Message);
        Assert.Equal(bytes.Length, fromBytes.Actual);
        using var fits = OnnxModel.Load(path, new OnnxModelOptions { MaxModelBytes = bytes.Length });
    }

    [Fact]
    public void A_model_loaded_from_bytes_may_not_name_external_data()
    {
        using var temp = new TempFolder();
        var bytes = TestModels.DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: false, new OnnxExternalData("weights.bin")).ToBytes();
        // Where ONNX Runtime would look for it: relative to the working directory.
        var previous = Environment.CurrentDirectory;
        File.WriteAllBytes(temp.File("weights.bin"), new byte[TestModels.DenseOutputs * TestModels.DenseInputs * sizeof(float)]);

        OnnxModelLoadException e;
        try
        {
            Environment.CurrentDirectory = temp.Path;
            e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(bytes));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }

        Assert.Contains("weights.bin", e.Message);
        Assert.Contains("keep its tensors inline", e.Message);
    }

    [Theory]
    [InlineData("/etc/hostname", "absolute path")]
    [InlineData("../secret.bin", "lead out of the model's folder")]
    [InlineData("sub/../../secret.bin", "lead out of the model's folder")]
    public void External_data_outside_the_models_folder_is_refused(string location, string why)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("secret.bin"), new byte[48]);
        var path = temp.File("models/dense.onnx");
        TestModels.DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: false, new OnnxExternalData(location)).Save(path);

        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(path));

        Assert.Contains(why, e.Message);
        Assert.Contains(location, e.Message);
    }

    [Fact]
    public void External_data_reached_through_a_symbolic_link_out_of_the_folder_is_refused()
    {
        using var temp = new TempFolder();
        var secret = temp.File("secret.bin");
        File.WriteAllBytes(secret, new byte[TestModels.DenseOutputs * TestModels.DenseInputs * sizeof(float)]);
        var path = temp.File("models/dense.onnx");
        File.CreateSymbolicLink(temp.File("models/weights.bin"), secret);
        TestModels.DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: false, new OnnxExternalData("weights.bin")).Save(path);

        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(path));

        Assert.Contains("symbolic link", e.Message);
    }

    [Fact]
    public void External_data_inside_the_folder_loads_and_runs()
    {
        using var temp = new TempFolder();
        var weights = new byte[TestModels.DenseWeight.Length * sizeof(float)];
        Buffer.BlockCopy(TestModels.DenseWeight, 0, weights, 0, weights.Length);
        File.WriteAllBytes(temp.File("models/data/weights.bin"), weights);
        var path = temp.File("models/dense.onnx");
        TestModels.DenseBuilder(OnnxGraphBuilder.DefaultOpset, softmax: false, new OnnxExternalData("data/weights.bin")).Save(path);

        using var model = OnnxModel.Load(path);

        float[] x = [1, -2, 3, 0.5f];
        Reference.AssertClose(TestModels.ExpectedDense(x), model.Predict(x));
    }

    private static (T Result, TimeSpan Elapsed, long GrownBytes) Measure<T>(Func<T> action)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var result = action();
        clock.Stop();
        return (result, clock.Elapsed, GC.GetTotalMemory(forceFullCollection: false) - before);
    }
}
