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
    public void Non_onnx_file_fails_with_the_readers_diagnosis()
    {
        using var temp = new TempFolder();
        var path = temp.File("photo.onnx");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);

        var e = Assert.Throws<OnnxModelLoadException>(() => OnnxModel.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("not an ONNX model", e.Message);
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
    public void Models_with_another_signature_load_for_the_general_api_and_the_float_api_says_what_they_have()
    {
        using var twoInputs = OnnxModel.Load(TestModels.TwoInputs());
        using var twoOutputs = OnnxModel.Load(TestModels.TwoOutputs());
        using var intInput = OnnxModel.Load(TestModels.Int64Input());
        using var scalar = OnnxModel.Load(TestModels.ScalarInput());

        foreach (var model in new[] { twoInputs, twoOutputs, intInput, scalar })
        {
            Assert.False(model.SupportsFloatApi);
            Assert.Empty(model.InputShape);
            Assert.Equal(0, model.InputLength);
        }
        var twoInputsError = Assert.Throws<InvalidOperationException>(() => twoInputs.Predict(new float[4]));
        var twoOutputsError = Assert.Throws<InvalidOperationException>(() => twoOutputs.Classify(new float[4]));
        var intInputError = Assert.Throws<InvalidOperationException>(() => intInput.PredictBatch(new float[4], 1));
        var scalarError = Assert.Throws<InvalidOperationException>(() => scalar.ClassifyBatch(new float[1], 1));
        Assert.Contains("exactly one input", twoInputsError.Message);
        Assert.Contains("'x' [N, 4]", twoInputsError.Message);
        Assert.Contains("'z' [N, 4]", twoInputsError.Message);
        Assert.Contains("OnnxModel.Run", twoInputsError.Message);
        Assert.Contains("exactly one output", twoOutputsError.Message);
        Assert.Contains("'ids'", intInputError.Message);
        Assert.Contains("Int64", intInputError.Message);
        Assert.Contains("tensor of float", intInputError.Message);
        Assert.Contains("batch", scalarError.Message);
        Assert.Equal(["x", "z"], twoInputs.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void Open_sample_axes_without_metadata_leave_only_the_general_api()
    {
        using var model = OnnxModel.Load(TestModels.OpenWidth(inputShapeMetadata: null));

        var e = Assert.Throws<InvalidOperationException>(() => model.Predict(new float[3]));
        Assert.Contains("[N, width]", e.Message);
        Assert.Contains(SharpShotMetadata.InputShape, e.Message);
        var y = model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new[] { 1f, 2f, 3f }, 1, 3) });
        Assert.Equal([3f, 5f, 7f], y["y"].GetData<float>());
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
        if (HasCudaBuild())
        {
            return; // A GPU build: whether CUDA starts depends on the machine, so there is nothing fixed to assert.
        }

        var e = Assert.Throws<OnnxModelLoadException>(() =>
            OnnxModel.Load(TestModels.Dense(), new OnnxModelOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }));

        Assert.Contains("CUDA", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", e.Message);
        Assert.Contains("ExecutionProvider = Cpu or BestAvailable", e.Message);
    }

    [Fact]
    public void Best_available_falls_back_to_the_cpu_and_says_why()
    {
        if (HasCudaBuild())
        {
            return; // Whether CUDA starts depends on the machine; the GPU check (tests/gpu) covers it.
        }

        using var model = OnnxModel.Load(TestModels.Dense(), new OnnxModelOptions { ExecutionProvider = OnnxExecutionProvider.BestAvailable });

        Assert.Equal(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.Contains("no CUDA execution provider", model.ExecutionProviderNote);
        Assert.Contains("CPUExecutionProvider", model.ExecutionProviderNote);
        float[] x = [1, 2, 3, 4];
        Reference.AssertClose(Reference.Dense(x, TestModels.DenseWeight, TestModels.DenseBias), model.Predict(x));
    }

    [Fact]
    public void The_cpu_provider_is_the_default_and_reports_no_fallback()
    {
        using var model = OnnxModel.Load(TestModels.Dense());

        Assert.Equal(OnnxExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.Null(model.ExecutionProviderNote);
    }

    private static bool HasCudaBuild() =>
        Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider");
}
