using System.Text.Json;
using SharpShot.Onnx;
using SharpShot.Onnx.Proto;

namespace SharpShot.Inference.Tests;

public class FewShotExportTests
{
    private static readonly float[] HandSupport = [0f, 0f, 5f, 0f, 1f, 0f, 2f, 0f, 0f, 0f, 2f, -1f, 3f, 1.5f, 0f];

    private static readonly string[] HandLabels = ["a", "b", "a", "b", "b"];

    [Fact]
    public void Adapted_file_classifies_like_the_classifier_with_labels_in_metadata()
    {
        using var folder = new TempFolder();
        using var classifier = FewShotClassifier.Load(TestModels.Conv());
        var length = classifier.InputLength;
        classifier.Fit(Reference.Random(9 * length, seed: 1100), ["cat", "dog", "bird", "cat", "dog", "bird", "cat", "dog", "bird"]);
        var queries = Reference.Random(12 * length, seed: 1101);
        var path = folder.File("out/adapted.onnx");

        classifier.ExportAdapted(path);

        using var adapted = OnnxModel.Load(path);
        Assert.Equal("image", adapted.InputName);
        Assert.Equal([2, 5, 5], adapted.InputShape);
        Assert.Equal([3], adapted.OutputShape);
        Assert.Equal(["cat", "dog", "bird"], adapted.ClassLabels);
        Assert.True(adapted.OutputsProbabilities);
        Reference.AssertClose(classifier.PredictProbabilities(queries), adapted.PredictBatch(queries, 12));
        Assert.Equal(classifier.Predict(queries), adapted.ClassifyBatch(queries, 12));
        Assert.Equal(["adapted.onnx"], Directory.GetFiles(folder.File("out"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(8)]   // IR version 3: new initializers are also graph inputs
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(17)]  // the default: ReduceSumSquare takes axes as an attribute
    [InlineData(18)]  // ReduceSumSquare takes axes as an input
    [InlineData(21)]
    public void Adapted_model_keeps_the_opset_and_IR_version_and_matches_at_every_opset(int opset)
    {
        using var classifier = FewShotClassifier.Load(TestModels.Dense(opset));
        classifier.Fit(Reference.Random(8 * TestModels.DenseInputs, seed: 1200), [4, 9, 4, 9, 1, 1, 4, 9]);
        var queries = Reference.Random(10 * TestModels.DenseInputs, seed: 1201);

        var bytes = classifier.ExportAdaptedBytes();

        var info = OnnxModelInfo.Read(bytes);
        var embedding = OnnxModelInfo.Read(TestModels.Dense(opset));
        Assert.Equal(embedding.IrVersion, info.IrVersion);
        Assert.Equal(opset, info.OpsetImports[""]);
        Assert.Equal(["features"], info.Inputs.Select(i => i.Name));
        var output = Assert.Single(info.Outputs);
        Assert.Equal("probabilities", output.Name);
        Assert.Equal(["N", "3"], output.Shape.Select(d => d.ToString()));
        var reduce = info.Proto.Graph.Node.Single(n => n.OpType == "ReduceSumSquare");
        Assert.Equal(opset >= 18 ? 2 : 1, reduce.Input.Count);
        Assert.Equal(opset < 18, reduce.Attribute.Any(a => a.Name == "axes"));

        using var adapted = OnnxModel.Load(bytes);
        Assert.Equal(["4", "9", "1"], adapted.ClassLabels);
        Reference.AssertClose(classifier.PredictProbabilities(queries), adapted.PredictBatch(queries, 10));
    }

    [Fact]
    public void Adapted_model_holds_the_prototypes_and_keeps_the_embedding_metadata()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(HandSupport, HandLabels);

        var model = OnnxModelInfo.Read(classifier.ExportAdaptedBytes()).Proto;

        var prototypes = model.Graph.Initializer.Single(t => t.Name == "fewshot.prototypes");
        Assert.Equal([2L, 2L], prototypes.Dims);
        Assert.Equal([1f, 1f, 1f, 4f], ReadFloats(prototypes));
        Assert.Equal([-2f, -17f], ReadFloats(model.Graph.Initializer.Single(t => t.Name == "fewshot.neg_prototype_sq_norms")));
        Assert.Equal(["Gemm", "Identity", "Gemm", "ReduceSumSquare", "Sub", "Softmax"], model.Graph.Node.Select(n => n.OpType));
        Assert.Equal(model.Graph.Node.Count, model.Graph.Node.Select(n => n.Name).Distinct().Count());
        var metadata = model.MetadataProps.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("[\"a\",\"b\"]", metadata[SharpShotMetadata.ClassLabels]);
        Assert.Equal("probabilities", metadata[SharpShotMetadata.Output]);
        Assert.Equal("3", metadata[SharpShotMetadata.InputShape]);
        Assert.Equal("Tests.LinearEmbedding", metadata[SharpShotMetadata.ModelName]);
        Assert.Equal(model.MetadataProps.Count, metadata.Count);
        Assert.Contains("FewShotClassifier: 2 class prototypes (mean embeddings of 5 support samples)", model.DocString);
        // The embedding's output stays described as an intermediate value.
        Assert.Contains(model.Graph.ValueInfo, v => v.Name == "output");
    }

    [Fact]
    public void Hand_computed_probabilities_come_out_of_the_adapted_model()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        classifier.Fit(HandSupport, HandLabels);

        using var adapted = OnnxModel.Load(classifier.ExportAdaptedBytes());

        var near = (float)(1 / (1 + Math.Exp(-3)));
        var far = (float)(Math.Exp(-3) / (1 + Math.Exp(-3)));
        Reference.AssertClose([near, far, far, near], adapted.PredictBatch([1f, 0.5f, 0f, 4f, 1f, 0f], 2));
        Assert.Equal(["a", "b"], adapted.ClassLabels);
    }

    [Fact]
    public void Class_names_that_need_escaping_survive_the_metadata()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        string[] names = ["say \"hi\"", "back\\slash", "ünïcödé ✓", "new\nline", ""];
        classifier.Fit(HandSupport, names);

        using var adapted = OnnxModel.Load(classifier.ExportAdaptedBytes());

        Assert.Equal(names, adapted.ClassLabels);
        Assert.Equal(names, JsonSerializer.Deserialize<string[]>(adapted.Metadata[SharpShotMetadata.ClassLabels]));
    }

    [Fact]
    public void Refitting_then_exporting_writes_the_new_classes()
    {
        using var folder = new TempFolder();
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        var path = folder.File("adapted.onnx");
        classifier.Fit(HandSupport, HandLabels);
        classifier.ExportAdapted(path);

        classifier.Fit([10f, 0f, 0f, 0f, 0f, 0f, 5f, 5f, 5f], ["x", "y", "z"]);
        classifier.ExportAdapted(path);

        using var adapted = OnnxModel.Load(path);
        Assert.Equal(["x", "y", "z"], adapted.ClassLabels);
        Reference.AssertClose(classifier.PredictProbabilities(HandSupport), adapted.PredictBatch(HandSupport, 5));
    }

    [Fact]
    public void Names_already_used_by_the_embedding_are_not_reused()
    {
        using var classifier = FewShotClassifier.Load(FewShotModels.DenseWithClashingNames());
        classifier.Fit(Reference.Random(4 * TestModels.DenseInputs, seed: 1300), ["p", "q", "p", "q"]);
        var queries = Reference.Random(3 * TestModels.DenseInputs, seed: 1301);

        var bytes = classifier.ExportAdaptedBytes();

        var model = OnnxModelInfo.Read(bytes).Proto;
        Assert.Equal("probabilities_1", Assert.Single(model.Graph.Output).Name);
        var definedNames = model.Graph.Input.Select(v => v.Name)
            .Concat(model.Graph.Initializer.Select(t => t.Name))
            .Concat(model.Graph.Node.SelectMany(n => n.Output))
            .ToArray();
        Assert.Equal(definedNames.Length, definedNames.Distinct().Count());
        using var adapted = OnnxModel.Load(bytes);
        Reference.AssertClose(classifier.PredictProbabilities(queries), adapted.PredictBatch(queries, 3));
    }

    [Fact]
    public void Fixed_batch_embedding_exports_a_fixed_batch_classifier()
    {
        using var classifier = FewShotClassifier.Load(TestModels.FixedBatch(2));
        classifier.Fit([1, 0, 0, 0, 0, 1, 0, 0, 3, 0, 0, 0], ["x", "y", "x"]);
        float[] queries = [2, 0, 0, 0, 0, 2, 0, 0];

        using var adapted = OnnxModel.Load(classifier.ExportAdaptedBytes());

        Assert.Equal(2, adapted.FixedBatchSize);
        Reference.AssertClose(classifier.PredictProbabilities(queries), adapted.PredictBatch(queries, 2));
    }

    [Fact]
    public void External_weights_are_stored_inline_in_the_adapted_model()
    {
        using var folder = new TempFolder();
        var embeddingPath = FewShotModels.DenseWithExternalWeights(folder.Path);
        using var classifier = FewShotClassifier.Load(embeddingPath);
        classifier.Fit(Reference.Random(6 * TestModels.DenseInputs, seed: 1400), [0, 1, 2, 0, 1, 2]);
        var queries = Reference.Random(4 * TestModels.DenseInputs, seed: 1401);
        var adaptedPath = folder.File("elsewhere/adapted.onnx");

        classifier.ExportAdapted(adaptedPath);

        var model = OnnxModelInfo.Read(adaptedPath).Proto;
        Assert.All(model.Graph.Initializer, t => Assert.Equal(TensorProto.Types.DataLocation.Default, t.DataLocation));
        Assert.Equal(TestModels.DenseWeight, ReadFloats(model.Graph.Initializer.Single(t => t.Name == "dense.weight")));
        using var adapted = OnnxModel.Load(adaptedPath);
        Reference.AssertClose(classifier.PredictProbabilities(queries), adapted.PredictBatch(queries, 4));
    }

    [Fact]
    public void Exporting_before_Fit_writes_nothing()
    {
        using var folder = new TempFolder();
        using var classifier = FewShotClassifier.Load(FewShotModels.Linear());
        var path = folder.File("adapted.onnx");

        Assert.Throws<InvalidOperationException>(() => classifier.ExportAdapted(path));

        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Concurrent_exports_and_predictions_agree()
    {
        using var classifier = FewShotClassifier.Load(TestModels.Dense());
        classifier.Fit(Reference.Random(6 * TestModels.DenseInputs, seed: 1500), ["a", "b", "c", "a", "b", "c"]);
        var queries = Reference.Random(5 * TestModels.DenseInputs, seed: 1501);
        var expected = classifier.PredictProbabilities(queries);
        var expectedBytes = classifier.ExportAdaptedBytes();

        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (i % 2 == 0)
            {
                Assert.Equal(expectedBytes, classifier.ExportAdaptedBytes());
            }
            else
            {
                Assert.Equal(expected, classifier.PredictProbabilities(queries));
            }
        });
    }

    private static float[] ReadFloats(TensorProto tensor)
    {
        var bytes = tensor.RawData.ToByteArray();
        return Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray();
    }
}
