using SharpShot.Data;
using SharpShot.Inference;
using SharpShot.Onnx;
using SharpShot.Tests.Models;

namespace SharpShot.Tests.EndToEnd;

/// <summary>A model declared in this project goes the user's whole way: build, train, export, ONNX Runtime.</summary>
public class DeclareTrainExportInferTests
{
    [Fact]
    public void TrainedModelRunsInOnnxRuntimeWithTheSameAnswers()
    {
        (Dataset train, Dataset test) = SyntheticImages.Generate(trainCount: 1_000, testCount: 400, seed: 21);
        var model = new TinyCnn();
        model.Fit(train);
        float[] torchOutputs = model.Predict(test);

        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "not-yet-created", "tiny.onnx");
        model.ExportOnnx(path);
        using var onnx = OnnxModel.Load(path);
        float[] onnxOutputs = onnx.PredictBatch(test.Features, test.Count);

        int[] torchClasses = ArgMaxRows(torchOutputs, 10);
        int[] onnxClasses = onnx.ClassifyBatch(test.Features, test.Count);
        double agreement = torchClasses.Zip(onnxClasses).Count(p => p.First == p.Second) / (double)test.Count;
        double maxDifference = torchOutputs.Zip(onnxOutputs, (a, b) => Math.Abs(a - b)).Max();
        double accuracy = onnxClasses.Zip(test.Labels).Count(p => p.First == p.Second) / (double)test.Count;

        Assert.True(agreement >= 0.999, $"ONNX Runtime agrees with TorchSharp on {agreement:P2}");
        Assert.True(maxDifference <= 1e-5, $"max |difference| {maxDifference:E2}");
        Assert.True(accuracy > 0.5, $"the exported model classifies {accuracy:P1} of the test images correctly");
        Assert.Equal(train.ClassNames, onnx.ClassLabels);
        Assert.False(onnx.OutputsProbabilities);
        Assert.Equal([1, 28, 28], onnx.InputShape);
    }

    [Fact]
    public void ExportWritesTheMetadataAHostNeeds()
    {
        var model = new EveryLayerNet { ClassLabels = ["a", "b", "c", "d", "e"], InputScaling = InputScaling.PixelsToUnitRange };
        using var temp = new TempFolder();
        string path = temp.File("meta.onnx");
        model.ExportOnnx(path);
        OnnxModelInfo info = OnnxModelInfo.Read(path);

        Assert.Equal(8, info.IrVersion);
        Assert.Equal(17, info.OpsetImports[""]);
        Assert.Equal("SharpShot", info.ProducerName);
        Assert.Equal("3,11,9", info.Metadata[SharpShotMetadata.InputShape]);
        Assert.Equal("probabilities", info.Metadata[SharpShotMetadata.Output]);
        Assert.Equal("[\"a\",\"b\",\"c\",\"d\",\"e\"]", info.Metadata[SharpShotMetadata.ClassLabels]);
        Assert.Equal(1 / 255.0, double.Parse(info.Metadata[SharpShotMetadata.InputScale], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(OnnxDimension.Symbolic("batch"), info.Inputs.Single().Shape[0]);
        Assert.Equal([OnnxDimension.Symbolic("batch"), OnnxDimension.Fixed(5)], info.Outputs.Single().Shape);
    }

    [Fact]
    public void OpsetsBeforeThirteenAreRefused()
    {
        var model = new OnlySoftmax();
        using var temp = new TempFolder();
        string path = temp.File("never-written.onnx");
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ExportOnnx(path, opset: 12));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void NewerOpsetsExportAndRun()
    {
        var model = new LogitsNet();
        using var temp = new TempFolder();
        string path = temp.File("opset20.onnx");
        model.ExportOnnx(path, opset: 20);
        Assert.Equal(9, OnnxModelInfo.Read(path).IrVersion);
        using var onnx = OnnxModel.Load(path);
        Assert.Equal(6, onnx.Predict(new float[onnx.InputLength]).Length);
    }

    private static int[] ArgMaxRows(float[] values, int width) =>
        Enumerable.Range(0, values.Length / width)
            .Select(row => Enumerable.Range(0, width).MaxBy(j => values[row * width + j]))
            .ToArray();
}
