using System.Reflection;
using Microsoft.CodeAnalysis;
using SharpShot.FewShot;
using SharpShot.Generators.Tests.Infrastructure;
using SharpShot.Layers;
using SharpShot.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SharpShot.Generators.Tests;

/// <summary>
/// The generated code, compiled and run against the real runtime: what the generator inferred at compile time
/// (parameter names, shapes and order, the output shape) must be what the TorchSharp modules have.
/// </summary>
public sealed class RuntimeExecutionTests
{
    public static TheoryData<string, string> Models => new()
    {
        { TestModels.FashionCnn, "Demo.FashionCnn" },
        { TestModels.DigitsMlp, "Demo.Mlp.DigitsMlp" },
        { TestModels.StridedCnn, "Demo.StridedCnn" },
        { TestModels.TinyResNet, "Demo.Composed.TinyResNet" },
        { TestModels.OmniglotEmbedding, "Demo.FewShot.OmniglotEmbedding" },
        { TestModels.UsedModel, "Demo.Reuse.Classifier" },
        { TestModels.LayerZoo, "Demo.LayerZoo" },
        { TestModels.TextClassifier, "Demo.Text.TextClassifier" },
        { TestModels.OmniglotMaml, "Demo.Maml.OmniglotMaml" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void InferredParametersAreTheModulesParameters(string source, string typeName)
    {
        using var scope = NewDisposeScope();
        using SequentialModel model = Create(source, typeName);

        // The descriptors name exactly the state dict's trainable entries, with their shapes.
        Dictionary<string, TorchSharp.Modules.Parameter> named = model.named_parameters().ToDictionary(pair => pair.name, pair => pair.parameter);
        Assert.Equal(named.Keys.OrderBy(name => name, StringComparer.Ordinal), model.ParameterDescriptors.Select(d => d.Name).OrderBy(name => name, StringComparer.Ordinal));
        foreach (ParameterDescriptor descriptor in model.ParameterDescriptors)
        {
            Assert.Equal(descriptor.Shape, named[descriptor.Name].shape);
        }

        // ... in the order the functional forward takes them.
        IReadOnlyList<TorchSharp.Modules.Parameter> functional = model.FunctionalParameters();
        Assert.Equal(model.ParameterDescriptors.Count, functional.Count);
        for (int i = 0; i < functional.Count; i++)
        {
            Assert.True(functional[i].Handle == named[model.ParameterDescriptors[i].Name].Handle, $"parameter #{i + 1} is not {model.ParameterDescriptors[i].Name}");
        }

        Assert.Equal(model.ParameterCount, functional.Sum(parameter => parameter.numel()));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ForwardGivesTheInferredOutputShape(string source, string typeName)
    {
        using var scope = NewDisposeScope();
        using SequentialModel model = Create(source, typeName);
        model.eval();

        // Zeros are valid token ids too.
        Tensor input = zeros(new long[] { 2 }.Concat(model.InputShape.Select(d => (long)d)).ToArray());
        Tensor output = model.forward(input);
        Tensor functional = model.Functional(input, model.FunctionalParameters(), training: false);

        Assert.Equal(new long[] { 2 }.Concat(model.OutputShape.Select(d => (long)d)), output.shape);
        Assert.True(allclose(output, functional), "the functional forward differs from the module's");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ExportsToOnnx(string source, string typeName)
    {
        using var scope = NewDisposeScope();
        using SequentialModel model = Create(source, typeName);
        using var folder = new TempFolder();
        string path = folder.File("model.onnx");

        model.ExportOnnx(path);

        Assert.True(new FileInfo(path).Length > 0);
    }

    public static TheoryData<string, string, MetaLearnerOptions> MetaLearners => new()
    {
        {
            TestModels.OmniglotMaml, "Demo.Maml.OmniglotMaml",
            new MetaLearnerOptions
            {
                Algorithm = MetaAlgorithm.Maml, Task = MetaTaskKind.Classification, Ways = 5, Shots = 1, Queries = 15, InnerSteps = 1, EvaluationInnerSteps = null,
                InnerLearningRate = 0.4, MetaBatch = 32, LearningRate = 1e-3, Steps = 10_000, Seed = 42,
            }
        },
        {
            TestModels.SinusoidMetaSgd, "Demo.Maml.SinusoidMetaSgd",
            new MetaLearnerOptions
            {
                Algorithm = MetaAlgorithm.MetaSgd, Task = MetaTaskKind.Regression, Ways = 2, Shots = 10, Queries = 12, InnerSteps = 2, EvaluationInnerSteps = 10,
                InnerLearningRate = 0.01, MetaBatch = 25, LearningRate = 0.30000000000000004, Steps = 70_000, Seed = 7, MultiStepLoss = true,
                MultiStepLossWeights = [2.0, 0.5],
            }
        },
    };

    [Theory]
    [MemberData(nameof(MetaLearners))]
    public void MetaLearningDefaultsHoldTheDeclaredValuesAndCreateMetaLearnerUsesThem(string source, string typeName, MetaLearnerOptions expected)
    {
        using var scope = NewDisposeScope();
        using SequentialModel model = Create(source, typeName);
        Type type = model.GetType();

        var defaults = (MetaLearnerOptions)type.GetProperty("MetaLearningDefaults")!.GetValue(model)!;
        Assert.Equal(expected, defaults);

        using (var learner = (MetaLearner)type.GetMethod("CreateMetaLearner")!.Invoke(model, new object?[] { null })!)
        {
            Assert.Same(model, learner.Model);
            Assert.Equal(defaults, learner.Options);
        }

        // Options passed in replace the defaults.
        MetaLearnerOptions custom = defaults with { Steps = 3, Seed = 11 };
        using (var learner = (MetaLearner)type.GetMethod("CreateMetaLearner")!.Invoke(model, new object?[] { custom })!)
        {
            Assert.Same(custom, learner.Options);
        }
    }

    private static SequentialModel Create(string source, string typeName)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Empty(run.Diagnostics);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = run.Output.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        // Each load gets an assembly load context of its own; the runtime and TorchSharp come from the default one.
        Assembly assembly = Assembly.Load(stream.ToArray());
        Type type = assembly.GetType(typeName, throwOnError: true)!;
        return (SequentialModel)Activator.CreateInstance(type, new object?[] { 1, null })!;
    }
}
