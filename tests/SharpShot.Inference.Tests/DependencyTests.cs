namespace SharpShot.Inference.Tests;

public class DependencyTests
{
    [Fact]
    public void Inference_assembly_references_no_TorchSharp()
    {
        var references = typeof(OnnxModel).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

        Assert.Contains("Microsoft.ML.OnnxRuntime", references);
        Assert.DoesNotContain(references, name => name.Contains("Torch", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Nothing_torch_is_loaded_by_running_a_model()
    {
        using (var model = OnnxModel.Load(TestModels.Dense()))
        {
            model.Predict(new float[TestModels.DenseInputs]);
        }

        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(),
            a => (a.GetName().Name ?? "").Contains("Torch", StringComparison.OrdinalIgnoreCase));
    }
}
