using System.Globalization;
using SharpShot.Inference;
using SharpShot.Layers;
using SharpShot.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// One configuration of one layer kind as the contract runs it: where the layer comes from (a declared one-layer model,
/// or a direct construction for what no declaration gives), its input, and its independent reference.
/// </summary>
internal sealed class LayerCase
{
    private readonly Func<SequentialModel>? _declare;
    private readonly Func<Layer>? _construct;
    private readonly long[]? _inputShape;

    private LayerCase(string name, ReferenceLayer reference, Func<SequentialModel>? declare, Func<Layer>? construct, long[]? inputShape)
    {
        Name = name;
        Reference = reference;
        _declare = declare;
        _construct = construct;
        _inputShape = inputShape;
    }

    /// <summary>The declared model's class name, or a name for a directly constructed layer.</summary>
    public string Name { get; }

    /// <summary>The independent computation the layer must agree with.</summary>
    public ReferenceLayer Reference { get; }

    /// <summary>Makes the input batch of the given shape from a seed; U(−2, 2) unless the case says otherwise.</summary>
    public Func<long[], int, Tensor> Input { get; private init; } = (shape, seed) => LayerContract.Uniform(seed, shape, -2, 2);

    /// <summary>The training flags to run: both where batch norm makes them differ, eval only otherwise.</summary>
    public bool[] Modes { get; private init; } = [false];

    /// <summary>True when the layer comes from a <c>[Model]</c> declaration, so the generator's facts can be checked.</summary>
    public bool IsDeclared => _declare is not null;

    /// <summary>A case whose layer is the single layer of the model <typeparamref name="TModel"/>.</summary>
    public static LayerCase Declared<TModel>(Func<TModel> declare, ReferenceLayer reference)
        where TModel : SequentialModel => new(typeof(TModel).Name, reference, declare, null, null);

    /// <summary>A case for a configuration no declaration produces: the layer is constructed directly.</summary>
    public static LayerCase Constructed(string name, Func<Layer> construct, long[] inputShape, ReferenceLayer reference) =>
        new(name, reference, null, construct, inputShape);

    /// <summary>This case with inputs from <paramref name="input"/>.</summary>
    public LayerCase WithInput(Func<long[], int, Tensor> input) => new(Name, Reference, _declare, _construct, _inputShape) { Input = input, Modes = Modes };

    /// <summary>This case with inputs U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public LayerCase WithInput(double low, double high) => WithInput((shape, seed) => LayerContract.Uniform(seed, shape, low, high));

    /// <summary>This case in eval and in training mode (batch norm: running and batch statistics).</summary>
    public LayerCase InBothModes() => new(Name, Reference, _declare, _construct, _inputShape) { Input = Input, Modes = [false, true] };

    /// <summary>The declared model; only for declared cases.</summary>
    public SequentialModel DeclareModel() => _declare?.Invoke() ?? throw new InvalidOperationException($"{Name} is not declared.");

    /// <summary>A fresh layer under test (owned by its model when declared) and a batch of 3 inputs for it.</summary>
    public LayerSubject Create()
    {
        const int Seed = 1;
        if (_declare is not null)
        {
            SequentialModel model = _declare();
            Tensor input = Input([3, .. model.InputShape.Select(d => (long)d)], Seed);
            return new LayerSubject(model.children().OfType<Layer>().Single(), input, model);
        }

        return new LayerSubject(_construct!(), Input([3, .. _inputShape!], Seed), null);
    }

    public override string ToString() => Name;
}

/// <summary>A layer under test, its input batch, and the model that owns it when declared (disposed with it).</summary>
internal sealed class LayerSubject(Layer layer, Tensor input, SequentialModel? model) : IDisposable
{
    public Layer Layer { get; } = layer;

    public Tensor Input { get; } = input;

    public void Dispose()
    {
        if (model is not null)
        {
            model.Dispose();
        }
        else
        {
            Layer.Dispose();
        }
    }
}

/// <summary>
/// The contract every layer kind passes, whatever its configuration. For each case:
/// <list type="number">
/// <item><description>the functional forward on random weights that are not the layer's own equals an independent reference
/// (<see cref="Reference"/>), and the module forward equals the reference on the layer's own weights;</description></item>
/// <item><description>the layer's ONNX emission over those same weights, run by ONNX Runtime, equals the reference, and the emission
/// takes exactly the layer's parameters;</description></item>
/// <item><description>the generator's compile-time facts (output shape, parameter count, descriptors, non-trainable values) equal the
/// runtime layer's.</description></item>
/// </list>
/// Outputs are compared within <see cref="Tolerance"/> and must not be trivially small, and the reference must tell the
/// given weights from the layer's own, so that a layer reading its own fields instead of the given weights fails.
/// </summary>
internal static class LayerContract
{
    public const double Tolerance = 1e-5;

    /// <summary>Every opset at which an emission changes form (Squeeze 13, LayerNormalization 17, ReduceMean 18, Gelu 20) has one of these on each side.</summary>
    public static readonly int[] Opsets = [13, 17, 20];

    /// <summary>Check 1: the functional forward on other weights, and the module forward on its own, equal the reference.</summary>
    public static void AssertForwardMatchesReference(LayerCase @case, bool training)
    {
        using var scope = NewDisposeScope();
        using LayerSubject subject = Prepare(@case);
        (Layer layer, Tensor input) = (subject.Layer, subject.Input);
        layer.train(training);
        Tensor[] weights = OtherWeights(layer, Seed(@case.Name));
        (string, Tensor)[] buffers = Buffers(layer);
        Tensor expected = Reference.Run(@case.Reference, input, weights, buffers, training);
        Tensor expectedOnOwn = Reference.Run(@case.Reference, input, layer.OwnParameters, buffers, training);

        using (no_grad())
        {
            var cursor = new ParameterCursor(weights);
            Tensor functional = layer.Forward(input, cursor, training);
            cursor.EnsureConsumed();
            AssertClose(expected, functional, $"{@case} (training {training}): functional forward on other weights vs the reference");
            AssertClose(expectedOnOwn, layer.forward(input), $"{@case} (training {training}): module forward vs the reference on the layer's own weights");
        }

        AssertNotTrivial(expected, @case);
        if (weights.Length > 0)
        {
            double apart = MaxDifference(expected, expectedOnOwn);
            Assert.True(apart > 1e-3, $"{@case}: the reference on other weights is within {apart:E2} of the one on the layer's own, so the check proves little");
        }
    }

    /// <summary>
    /// Check 2: the layer's ONNX emission over other weights, run by ONNX Runtime at each of <see cref="Opsets"/>, equals the
    /// reference, and takes exactly the layer's parameters from the context.
    /// </summary>
    public static void AssertOnnxRuntimeMatchesReference(LayerCase @case, bool training)
    {
        using var scope = NewDisposeScope();
        using LayerSubject subject = Prepare(@case);
        (Layer layer, Tensor input) = (subject.Layer, subject.Input);
        Tensor[] weights = OtherWeights(layer, Seed(@case.Name));
        Tensor expected = Reference.Run(@case.Reference, input, weights, Buffers(layer), training);
        AssertNotTrivial(expected, @case);
        float[] inputValues = input.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        foreach (int opset in Opsets)
        {
            var graph = new OnnxGraphBuilder("layer", opset);
            OnnxDimension batch = OnnxDimension.Symbolic("batch");
            string x = graph.AddInput("input", OnnxElementType.Float, [batch, .. input.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);
            var context = new OnnxEmitContext(graph, weights, training);
            string y;
            using (no_grad())
            {
                y = layer.EmitOnnx(context, x);
            }

            context.Weights.EnsureConsumed();
            string output = graph.AddNode("Identity", [y], "output");
            graph.AddOutput(output, OnnxElementType.Float, [batch, .. expected.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);

            using var onnx = OnnxModel.Load(graph.ToBytes());
            float[] actual = onnx.PredictBatch(inputValues, (int)input.shape[0]);
            AssertClose(expected, tensor(actual, expected.shape), $"{@case} (training {training}) at opset {opset}: ONNX Runtime on other weights vs the reference");
        }
    }

    /// <summary>Opsets the backward rules are checked at: both sides of ReduceMean's change (18); 16 is their lowest (ScatterElements' reduction).</summary>
    public static readonly int[] BackwardOpsets = [17, 20];

    /// <summary>
    /// Check 4: the layer's differentiable emission (<see cref="Layer.EmitDifferentiable"/>) on other weights, run by ONNX
    /// Runtime, gives the forward and the gradients of Σ y·r (r random) with respect to the input and every weight that
    /// TorchSharp's autograd gives, within |a − b| ≤ 1e-5·(1 + |b|); a layer kind without a backward rule throws
    /// <see cref="NoBackwardRuleException"/> naming the layer instead. Returns false for such a layer.
    /// </summary>
    public static bool AssertOnnxBackwardMatchesAutograd(LayerCase @case, bool training)
    {
        using var scope = NewDisposeScope();
        using LayerSubject subject = Prepare(@case);
        (Layer layer, Tensor input) = (subject.Layer, subject.Input);
        Tensor[] weights = OtherWeights(layer, Seed(@case.Name));
        bool supported = true;
        foreach (int opset in BackwardOpsets)
        {
            var graph = new OnnxGraphBuilder("backward", opset);
            OnnxDimension batch = OnnxDimension.Symbolic("batch");
            string x = graph.AddInput("input", OnnxElementType.Float, [batch, .. input.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);
            var values = weights.Select((w, i) => (graph.AddInitializer($"w{i}", OnnxEmitContext.FloatValues(w), w.shape), (IReadOnlyList<long>)w.shape)).ToArray();
            var context = new DifferentiableEmitContext(graph, values, training, string.Empty);
            DifferentiableOutput forward;
            try
            {
                forward = layer.EmitDifferentiable(context, x);
            }
            catch (NoBackwardRuleException e)
            {
                Assert.Contains($"'{layer.GetName()}'", e.Message);
                supported = false;
                break;
            }

            context.EnsureConsumed();
            Tensor expectedOutput;
            Tensor[] expectedGradients;
            Tensor upstream;
            {
                Tensor xGrad = input.detach().clone().requires_grad_(true);
                Tensor[] wGrad = weights.Select(w => w.detach().clone().requires_grad_(true)).ToArray();
                expectedOutput = layer.Forward(xGrad, new ParameterCursor(wGrad), training);
                upstream = Uniform(Seed(@case.Name) + 1, expectedOutput.shape, -1, 1);
                expectedGradients = [.. torch.autograd.grad([expectedOutput.mul(upstream).sum()], [xGrad, .. wGrad])];
            }

            string r = graph.AddInput("upstream", OnnxElementType.Float, [batch, .. expectedOutput.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);
            string gradInput = forward.Backward(r, true)!;
            graph.AddOutput(graph.AddNode("Identity", [forward.Output], "output"), OnnxElementType.Float, [batch, .. expectedOutput.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);
            graph.AddOutput(graph.AddNode("Identity", [gradInput], "grad_input"), OnnxElementType.Float, [batch, .. input.shape.Skip(1).Select(d => OnnxDimension.Fixed(d))]);
            for (int i = 0; i < weights.Length; i++)
            {
                Assert.True(context.Gradients.ContainsKey(i), $"{@case}: no gradient for weight {i}");
                graph.AddOutput(graph.AddNode("Identity", [context.Gradients[i]], $"grad_w{i}"), OnnxElementType.Float, weights[i].shape.Select(d => OnnxDimension.Fixed(d)).ToArray());
            }

            using var onnx = OnnxModel.Load(graph.ToBytes());
            var results = onnx.Run(new Dictionary<string, OnnxTensor>
            {
                ["input"] = OnnxTensor.Create(input.to(ScalarType.Float32).contiguous().data<float>().ToArray(), input.shape),
                ["upstream"] = OnnxTensor.Create(upstream.contiguous().data<float>().ToArray(), upstream.shape),
            });
            string where = $"{@case} (training {training}) at opset {opset}";
            AssertRelativelyClose(expectedOutput.detach(), results["output"], $"{where}: forward");
            AssertRelativelyClose(expectedGradients[0], results["grad_input"], $"{where}: gradient of the input");
            for (int i = 0; i < weights.Length; i++)
            {
                AssertRelativelyClose(expectedGradients[i + 1], results[$"grad_w{i}"], $"{where}: gradient of weight {i}");
            }
        }

        return supported;
    }

    /// <summary>Same shape and |actual − expected| ≤ 1e-5·(1 + |expected|) everywhere.</summary>
    private static void AssertRelativelyClose(Tensor expected, OnnxTensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.Shape), $"{what}: shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expected.shape)}]");
        Tensor a = tensor(actual.GetData<float>(), expected.shape).to(ScalarType.Float64);
        Tensor b = expected.to(ScalarType.Float64);
        double excess = a.numel() == 0 ? 0 : a.sub(b).abs().sub(b.abs().add(1).mul(1e-5)).max().item<double>();
        Assert.True(excess <= 0, $"{what}: |a − b| exceeds 1e-5·(1 + |b|) by {excess:E3} (max |a − b| {MaxDifference(b, a):E3})");
    }

    /// <summary>
    /// Check 3: what the generator computed at compile time (output shape, parameter count, descriptor names and shapes,
    /// non-trainable values in the summary) equals what the runtime model and its layer have.
    /// </summary>
    public static void AssertCompileTimeFactsMatchRuntime(LayerCase @case)
    {
        using var scope = NewDisposeScope();
        using SequentialModel model = @case.DeclareModel();
        Layer layer = model.children().OfType<Layer>().Single();
        model.eval();
        long[] inputShape = [2, .. model.InputShape.Select(d => (long)d)];
        using (no_grad())
        {
            Tensor output = model.forward(@case.Input(inputShape, 1));
            Assert.Equal(model.OutputShape.Select(d => (long)d), output.shape.Skip(1));
        }

        Assert.Equal(model.parameters().Where(p => p.requires_grad).Sum(p => p.numel()), model.ParameterCount);
        Assert.Equal(
            model.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))),
            model.ParameterDescriptors.Select(d => (d.Name, string.Join(",", d.Shape))));
        Assert.Equal(
            model.ParameterDescriptors.Select(d => string.Join(",", d.Shape)),
            layer.OwnParameters.Select(p => string.Join(",", p.shape)));

        long runningStatistics = model.named_buffers().Where(b => b.name.EndsWith(".running_mean", StringComparison.Ordinal) || b.name.EndsWith(".running_var", StringComparison.Ordinal)).Sum(b => b.buffer.numel());
        Assert.Equal(runningStatistics, NonTrainableInSummary(model.Summary()));
    }

    /// <summary>A fresh layer of the case in eval mode, with non-trivial running statistics where it has any, and its input.</summary>
    public static LayerSubject Prepare(LayerCase @case)
    {
        LayerSubject subject = @case.Create();
        Layer layer = subject.Layer;
        if (layer.named_buffers().Any())
        {
            // A few training-mode passes on shifted, wider data, so running statistics are not the initial 0 and 1.
            layer.train();
            using (no_grad())
            {
                for (int step = 0; step < 3; step++)
                {
                    layer.forward(@case.Input([16, .. subject.Input.shape.Skip(1)], 20 + step).mul(1.5).add(0.8));
                }
            }
        }

        layer.eval();
        return subject;
    }

    /// <summary>Random weights shaped like the layer's parameters, in functional-forward order, not the layer's own (see <see cref="RandomWeights"/>).</summary>
    public static Tensor[] OtherWeights(Layer layer, int seed)
    {
        (string Name, long[] Shape)[] named = layer.named_parameters().Select(p => (p.name, p.parameter.shape)).ToArray();
        Assert.Equal(named.Select(p => string.Join(",", p.Shape)), layer.OwnParameters.Select(p => string.Join(",", p.shape)));
        return RandomWeights(named, seed);
    }

    /// <summary>
    /// Random weights for the named parameters, seeded: U(±1/√fan-in) for matrices and kernels (outputs stay O(1), where an
    /// absolute tolerance means something), U(0.5, 1.5) for normalization scales (vectors named <c>weight</c>), U(−0.5, 0.5)
    /// for other vectors.
    /// </summary>
    public static Tensor[] RandomWeights(IEnumerable<(string Name, long[] Shape)> parameters, int seed)
    {
        using var generator = new Generator((ulong)seed);
        return parameters.Select(p =>
        {
            Tensor unit = rand(p.Shape, generator: generator);
            if (p.Shape.Length > 1)
            {
                double bound = 1 / Math.Sqrt(p.Shape.Skip(1).Aggregate(1L, (a, b) => a * b));
                return unit.mul_(2 * bound).sub_(bound);
            }

            return p.Name.EndsWith("weight", StringComparison.Ordinal) ? unit.add_(0.5) : unit.sub_(0.5);
        }).ToArray();
    }

    /// <summary>The layer's buffers under their state-dict names with the layer's own name in front, as in a model.</summary>
    public static (string Name, Tensor Value)[] Buffers(Layer layer) =>
        layer.named_buffers().Select(b => ($"{layer.GetName()}.{b.name}", b.buffer)).ToArray();

    /// <summary>U(<paramref name="low"/>, <paramref name="high"/>) values of the given shape, seeded.</summary>
    public static Tensor Uniform(int seed, long[] shape, double low, double high)
    {
        using var generator = new Generator((ulong)seed);
        return rand(shape, generator: generator).mul_(high - low).add_(low);
    }

    /// <summary>Random whole ids in [0, <paramref name="vocabulary"/>), as float32 as a host feeds them.</summary>
    public static Tensor Ids(int seed, long[] shape, int vocabulary)
    {
        using var generator = new Generator((ulong)seed);
        return randint(0, vocabulary, shape, generator: generator).to_type(ScalarType.Float32);
    }

    /// <summary>A seed that depends only on the name (string.GetHashCode differs from run to run).</summary>
    public static int Seed(string name) => name.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) & 0x7FFFFFFF;

    /// <summary>The largest |a − b|, in float64.</summary>
    public static double MaxDifference(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        return a.numel() == 0 ? 0 : a.to(ScalarType.Float64).sub(b.to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>Asserts same shape and max |expected − actual| ≤ <see cref="Tolerance"/>.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        double difference = MaxDifference(expected, actual);
        Assert.True(difference <= Tolerance, $"{what}: max difference {difference:E3} > {Tolerance:E0}");
    }

    private static void AssertNotTrivial(Tensor expected, LayerCase @case)
    {
        double largest = expected.abs().max().item<double>();
        Assert.True(largest > 0.1, $"{@case}: outputs are all near zero ({largest:E2}), so the comparison proves little");
    }

    private static long NonTrainableInSummary(string summary)
    {
        const string Label = "Non-trainable params:";
        string line = summary.Split('\n').Single(l => l.StartsWith(Label, StringComparison.Ordinal));
        return long.Parse(line[Label.Length..].Trim(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }
}
