using SharpShot.Onnx;

namespace SharpShot.Inference.Tests;

public class LoadTests
{
    [Fact]
    public void Load_from_path_and_from_bytes_agree()
    {
        using var temp = new TempFolder();
        var bytes = TestModels.DenseSoftmax();
        var path = temp.File("dense.onnx");
        File.WriteAllBytes(path, bytes);
        var samples = Reference.Random(4 * TestModels.DenseInputs, seed: 12);

        using var fromPath = OnnxModel.Load(path);
        using var fromBytes = OnnxModel.Load(bytes);

        Assert.Equal(fromBytes.InputShape, fromPath.InputShape);
        Assert.Equal(fromBytes.OutputShape, fromPath.OutputShape);
        Assert.Equal(fromBytes.Metadata, fromPath.Metadata);
        Assert.Equal(fromBytes.ClassLabels, fromPath.ClassLabels);
        Assert.Equal(fromBytes.PredictBatch(samples, 4), fromPath.PredictBatch(samples, 4));
    }

    [Fact]
    public void Shapes_names_and_sharpshot_metadata_are_exposed()
    {
        using var model = OnnxModel.Load(TestModels.DenseSoftmax());

        Assert.Equal("features", model.InputName);
        Assert.Equal("probabilities", model.OutputName);
        Assert.Equal([4], model.InputShape);
        Assert.Equal(4, model.InputLength);
        Assert.Equal([3], model.OutputShape);
        Assert.Equal(3, model.OutputLength);
        Assert.Null(model.FixedBatchSize);
        Assert.Equal(TestModels.Labels, model.ClassLabels);
        Assert.True(model.OutputsProbabilities);
        Assert.Equal("Tests.DenseSoftmax", model.Metadata[SharpShotMetadata.ModelName]);
    }

    [Fact]
    public void Multi_axis_input_shape_comes_from_the_model_dims()
    {
        using var model = OnnxModel.Load(TestModels.Conv());

        Assert.Equal([2, 5, 5], model.InputShape);
        Assert.Equal(50, model.InputLength);
        Assert.Equal([75], model.OutputShape);
        Assert.Empty(model.ClassLabels);
        Assert.False(model.OutputsProbabilities);
        Assert.Empty(model.Metadata);
    }

    [Fact]
    public void Logits_model_does_not_claim_probabilities()
    {
        using var model = OnnxModel.Load(TestModels.DenseWithMetadata((SharpShotMetadata.Output, "logits")));

        Assert.False(model.OutputsProbabilities);
    }

    [Fact]
    public void Missing_file_throws_FileNotFoundException_naming_it()
    {
        using var temp = new TempFolder();
        var path = temp.File("missing.onnx");

        var e = Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(path));

        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Non_onnx_file_fails_with_the_readers_diagnosis_and_onnx_runtimes_message()
    {
        using var temp = new TempFolder();
        var path = temp.File("photo.onnx");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);

        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("not an ONNX model", e.Message);
        Assert.Contains("ONNX Runtime", e.Message);
        Assert.IsType<OnnxFormatException>(e.InnerException);
    }

    [Fact]
    public void Empty_and_truncated_bytes_fail_with_a_load_exception()
    {
        var full = TestModels.Conv();

        var empty = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load([]));
        var truncated = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(full[..(full.Length / 2)]));

        Assert.Contains("empty", empty.Message);
        Assert.Contains("in-memory model", truncated.Message);
        Assert.Null(truncated.FilePath);
    }

    [Fact]
    public void Model_onnx_runtime_cannot_run_fails_with_its_message()
    {
        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.UnknownOperator()));

        Assert.Contains("ONNX Runtime rejected it", e.Message);
        Assert.Contains("DefinitelyNotAnOnnxOperator", e.Message);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(e.InnerException);
    }

    [Fact]
    public void Models_with_another_signature_are_rejected_saying_what_they_have()
    {
        var twoInputs = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.TwoInputs()));
        var twoOutputs = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.TwoOutputs()));
        var intInput = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.Int64Input()));
        var scalar = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.ScalarInput()));

        Assert.Contains("exactly one input", twoInputs.Message);
        Assert.Contains("'x' [N, 4]", twoInputs.Message);
        Assert.Contains("'z' [N, 4]", twoInputs.Message);
        Assert.Contains("exactly one output", twoOutputs.Message);
        Assert.Contains("'ids'", intInput.Message);
        Assert.Contains("Int64", intInput.Message);
        Assert.Contains("tensor of float", intInput.Message);
        Assert.Contains("batch", scalar.Message);
    }

    [Fact]
    public void Open_sample_axes_without_metadata_are_rejected()
    {
        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.OpenWidth(inputShapeMetadata: null)));

        Assert.Contains("[N, width]", e.Message);
        Assert.Contains(SharpShotMetadata.InputShape, e.Message);
    }

    [Theory]
    [InlineData("six")]
    [InlineData("6,")]
    [InlineData("0")]
    [InlineData("-6")]
    public void Malformed_input_shape_metadata_is_rejected(string metadata)
    {
        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(TestModels.OpenWidth(metadata)));

        Assert.Contains(SharpShotMetadata.InputShape, e.Message);
        Assert.Contains(metadata, e.Message);
    }

    [Fact]
    public void Input_shape_metadata_that_contradicts_the_model_is_rejected()
    {
        var wrongSize = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(TestModels.DenseWithMetadata((SharpShotMetadata.InputShape, "5"))));
        var wrongRank = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(TestModels.OpenWidth("2,3")));

        Assert.Contains("\"5\" does not match input 'features' [N, 4]", wrongSize.Message);
        Assert.Contains("\"2,3\" does not match", wrongRank.Message);
    }

    [Theory]
    [InlineData("[\"a\",\"b\"]", "names 2 classes but each output has 3 values")]
    [InlineData("[\"a\",\"b\",", "not valid JSON")]
    [InlineData("{\"a\":1}", "not a JSON array of strings")]
    [InlineData("[\"a\",2,\"c\"]", "holds a Number")]
    public void Malformed_class_labels_are_rejected(string labels, string expected)
    {
        var e = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(TestModels.DenseWithMetadata((SharpShotMetadata.ClassLabels, labels))));

        Assert.Contains(SharpShotMetadata.ClassLabels, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Invalid_thread_counts_are_rejected_when_options_are_built()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxModelOptions { IntraOpThreads = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxModelOptions { InterOpThreads = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxModelOptions { CudaDeviceId = -1 });
    }

    [Fact]
    public void Cuda_without_a_cuda_build_of_onnx_runtime_fails_clearly_instead_of_falling_back()
    {
        var providers = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders();
        if (providers.Contains("CUDAExecutionProvider"))
        {
            return; // A GPU build: whether CUDA starts depends on the machine, so there is nothing fixed to assert.
        }

        var e = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(TestModels.Dense(), new OnnxModelOptions { UseCuda = true }));

        Assert.Contains("CUDA", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
        Assert.Contains("UseCuda = false", e.Message);
    }
}
