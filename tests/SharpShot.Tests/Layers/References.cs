using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>One layer's computation written independently of its runtime code, in float64.</summary>
/// <param name="x">The input batch, float64.</param>
/// <param name="state">The weights (taken in functional-forward order), the buffers and the mode.</param>
internal delegate Tensor ReferenceLayer(Tensor x, ReferenceState state);

/// <summary>
/// What a reference computation reads besides its input: explicit weights in the order the functional forward takes
/// them, the buffers (batch norm's running statistics) by state-dict name, and whether batch statistics are used.
/// </summary>
internal sealed class ReferenceState
{
    private readonly Queue<Tensor> _weights;
    private readonly Dictionary<string, Tensor> _buffers;

    public ReferenceState(IEnumerable<Tensor> weights, IEnumerable<(string Name, Tensor Value)> buffers, bool training)
    {
        _weights = new Queue<Tensor>(weights);
        _buffers = buffers.ToDictionary(b => b.Name, b => b.Value);
        Training = training;
    }

    /// <summary>True: normalization by the statistics of the batch (training mode, or an export with <c>training: true</c>).</summary>
    public bool Training { get; }

    /// <summary>The next weight, as a float64 copy.</summary>
    public Tensor Next()
    {
        Assert.True(_weights.Count > 0, "the reference needs more weights than the layer was given");
        return _weights.Dequeue().detach().to(ScalarType.Float64);
    }

    /// <summary>The buffer with this state-dict name, as a float64 copy.</summary>
    public Tensor Buffer(string name)
    {
        Assert.True(_buffers.ContainsKey(name), $"no buffer named {name}; there are: {string.Join(", ", _buffers.Keys)}");
        return _buffers[name].detach().to(ScalarType.Float64);
    }

    /// <summary>Asserts the reference used every weight: the weight list and the reference describe the same network.</summary>
    public void AssertConsumed() => Assert.True(_weights.Count == 0, $"{_weights.Count} weights were left over by the reference");
}

/// <summary>
/// Independent computations of every layer kind, in float64 (which LibTorch never hands to oneDNN, whose float32 kernels are
/// wrong on some CPUs): hand formulas where they are short (dense, pooling by windows, normalizations, activations, the
/// LSTM and GRU equations as PyTorch documents them), TorchSharp's functional convolutions otherwise. Every weight comes
/// from the <see cref="ReferenceState"/>, never from a layer.
/// </summary>
internal static class Reference
{
    /// <summary>Runs <paramref name="layer"/> on <paramref name="input"/> in float64 and checks every weight was used.</summary>
    public static Tensor Run(ReferenceLayer layer, Tensor input, IEnumerable<Tensor> weights, IEnumerable<(string Name, Tensor Value)> buffers, bool training)
    {
        var state = new ReferenceState(weights, buffers, training);
        Tensor x = input.is_floating_point() ? input.to(ScalarType.Float64) : input;
        Tensor y = layer(x, state);
        state.AssertConsumed();
        return y;
    }

    /// <summary>y = x Wᵀ + b.</summary>
    public static ReferenceLayer Dense() => (x, s) =>
    {
        Tensor weight = s.Next();
        Tensor bias = s.Next();
        return Project(x, weight).add(bias);
    };

    /// <summary>Zeros added before and after, then a 1-D convolution without padding.</summary>
    public static ReferenceLayer Conv1d(int stride = 1, int padStart = 0, int padEnd = 0, int dilation = 1, int groups = 1) => (x, s) =>
    {
        Tensor weight = s.Next();
        Tensor bias = s.Next();
        return nn.functional.conv1d(nn.functional.pad(x, [padStart, padEnd]), weight, bias, stride: stride, dilation: dilation, groups: groups);
    };

    /// <summary>Zeros added on each side (top, bottom, left, right), then a 2-D convolution without padding.</summary>
    public static ReferenceLayer Conv2d(int stride = 1, (int Top, int Bottom, int Left, int Right) padding = default, int dilation = 1, int groups = 1) => (x, s) =>
    {
        Tensor weight = s.Next();
        Tensor bias = s.Next();
        Tensor padded = nn.functional.pad(x, [padding.Left, padding.Right, padding.Top, padding.Bottom]);
        return nn.functional.conv2d(padded, weight, bias, strides: [stride, stride], dilation: [dilation, dilation], groups: groups);
    };

    /// <summary>The same padding on all four sides.</summary>
    public static (int, int, int, int) Pad(int amount) => (amount, amount, amount, amount);

    /// <summary>PyTorch's transposed convolution, weight (C, F, k, k).</summary>
    public static ReferenceLayer ConvTranspose2d(int stride = 1, int padding = 0, int outputPadding = 0) => (x, s) =>
    {
        Tensor weight = s.Next();
        Tensor bias = s.Next();
        return nn.functional.conv_transpose2d(x, weight, bias, strides: [stride, stride], padding: [padding, padding], output_padding: [outputPadding, outputPadding]);
    };

    /// <summary>The largest value of each window after −∞ padding; partial windows are dropped (floor).</summary>
    public static ReferenceLayer MaxPool2d(int kernel, int stride, int padding = 0) => (x, _) =>
        Windows(nn.functional.pad(x, [padding, padding, padding, padding], value: double.NegativeInfinity), kernel, stride).amax([-2, -1]);

    /// <summary>The mean of each window after zero padding: padded zeros count (PyTorch's count_include_pad).</summary>
    public static ReferenceLayer AvgPool2d(int kernel, int stride, int padding = 0) => (x, _) =>
        Windows(nn.functional.pad(x, [padding, padding, padding, padding]), kernel, stride).sum([-2, -1]).div(kernel * kernel);

    /// <summary>Each channel's mean over its map: (N, C, H, W) → (N, C).</summary>
    public static ReferenceLayer GlobalAvgPool2d() => (x, _) => x.sum([2, 3]).div(x.shape[2] * x.shape[3]);

    /// <summary>
    /// (x − mean) / √(variance + ε) · γ + β per channel (dimension 1), with the batch's mean and biased variance over every
    /// other dimension in training, the buffers <c>{path}.running_mean</c> and <c>{path}.running_var</c> otherwise.
    /// </summary>
    public static ReferenceLayer BatchNorm(string path, double epsilon = 1e-5) => (x, s) =>
    {
        Tensor gamma = s.Next();
        Tensor beta = s.Next();
        long[] perChannel = [1, x.shape[1], .. Enumerable.Repeat(1L, (int)x.dim() - 2)];
        long[] reduced = [0, .. Enumerable.Range(2, (int)x.dim() - 2).Select(d => (long)d)];
        Tensor mean = s.Training ? x.mean(reduced, keepdim: true) : s.Buffer($"{path}.running_mean").reshape(perChannel);
        Tensor variance = s.Training ? x.sub(mean).square().mean(reduced, keepdim: true) : s.Buffer($"{path}.running_var").reshape(perChannel);
        return x.sub(mean).div(variance.add(epsilon).sqrt()).mul(gamma.reshape(perChannel)).add(beta.reshape(perChannel));
    };

    /// <summary>(x − mean) / √(variance + ε) · γ + β over the last dimension, biased variance.</summary>
    public static ReferenceLayer LayerNorm(double epsilon = 1e-5) => (x, s) =>
    {
        Tensor gamma = s.Next();
        Tensor beta = s.Next();
        Tensor mean = x.mean([-1], keepdim: true);
        Tensor variance = x.sub(mean).square().mean([-1], keepdim: true);
        return x.sub(mean).div(variance.add(epsilon).sqrt()).mul(gamma).add(beta);
    };

    /// <summary>Dropout as evaluated and exported: the identity.</summary>
    public static ReferenceLayer Dropout() => (x, _) => x;

    /// <summary>Each sample as one vector.</summary>
    public static ReferenceLayer Flatten() => (x, _) => x.reshape(x.shape[0], -1);

    /// <summary>Each sample in the given shape.</summary>
    public static ReferenceLayer Reshape(params long[] shape) => (x, _) => x.reshape([x.shape[0], .. shape]);

    public static ReferenceLayer Relu() => (x, _) => where(x.gt(0), x, zeros_like(x));

    public static ReferenceLayer LeakyRelu(double slope) => (x, _) => where(x.ge(0), x, x.mul(slope));

    public static ReferenceLayer Elu(double alpha) => (x, _) => where(x.gt(0), x, x.exp().sub(1).mul(alpha));

    /// <summary>Exact GELU: x · ½ · (1 + erf(x / √2)).</summary>
    public static ReferenceLayer Gelu() => (x, _) => x.mul(0.5).mul(x.div(Math.Sqrt(2)).erf().add(1));

    public static ReferenceLayer Silu() => (x, _) => x.div(x.neg().exp().add(1));

    public static ReferenceLayer Sigmoid() => (x, _) => Logistic(x);

    /// <summary>tanh x = 1 − 2 / (e^{2x} + 1).</summary>
    public static ReferenceLayer Tanh() => (x, _) => Hyperbolic(x);

    /// <summary>Softmax over the last dimension, shifted by the maximum.</summary>
    public static ReferenceLayer Softmax() => (x, _) =>
    {
        Tensor exponentials = x.sub(x.amax([-1], keepdim: true)).exp();
        return exponentials.div(exponentials.sum([-1], keepdim: true));
    };

    /// <summary>x − max − log Σ exp(x − max) over the last dimension.</summary>
    public static ReferenceLayer LogSoftmax() => (x, _) =>
    {
        Tensor shifted = x.sub(x.amax([-1], keepdim: true));
        return shifted.sub(shifted.exp().sum([-1], keepdim: true).log());
    };

    /// <summary>One-hot rows of the ids times the table: (…) ids → (…, dimension).</summary>
    public static ReferenceLayer Embedding(int vocabulary) => (x, s) =>
        Project(nn.functional.one_hot(x.to_type(ScalarType.Int64), vocabulary).to_type(ScalarType.Float64), s.Next().t());

    /// <summary>
    /// PyTorch's LSTM from a zero state, gate blocks i, f, g, o: c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'); the last
    /// h, or every step's.
    /// </summary>
    public static ReferenceLayer Lstm(bool returnSequences) => (x, s) =>
    {
        Tensor wih = s.Next(), whh = s.Next(), bih = s.Next(), bhh = s.Next();
        long units = whh.shape[1];
        Tensor h = zeros(x.shape[0], units, dtype: ScalarType.Float64);
        Tensor c = zeros_like(h);
        var steps = new List<Tensor>();
        for (long t = 0; t < x.shape[1]; t++)
        {
            Tensor[] gates = Project(x.select(1, t), wih).add(bih).add(Project(h, whh)).add(bhh).chunk(4, 1);
            c = Logistic(gates[1]).mul(c).add(Logistic(gates[0]).mul(Hyperbolic(gates[2])));
            h = Logistic(gates[3]).mul(Hyperbolic(c));
            steps.Add(h);
        }

        return returnSequences ? stack(steps, 1) : h;
    };

    /// <summary>
    /// PyTorch's GRU from a zero state, gate blocks r, z, n: n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),
    /// h' = (1 − z)·n + z·h; the last h, or every step's.
    /// </summary>
    public static ReferenceLayer Gru(bool returnSequences) => (x, s) =>
    {
        Tensor wih = s.Next(), whh = s.Next(), bih = s.Next(), bhh = s.Next();
        long units = whh.shape[1];
        Tensor h = zeros(x.shape[0], units, dtype: ScalarType.Float64);
        var steps = new List<Tensor>();
        for (long t = 0; t < x.shape[1]; t++)
        {
            Tensor[] fromInput = Project(x.select(1, t), wih).add(bih).chunk(3, 1);
            Tensor[] fromState = Project(h, whh).add(bhh).chunk(3, 1);
            Tensor r = Logistic(fromInput[0].add(fromState[0]));
            Tensor z = Logistic(fromInput[1].add(fromState[1]));
            Tensor n = Hyperbolic(fromInput[2].add(r.mul(fromState[2])));
            h = z.neg().add(1).mul(n).add(z.mul(h));
            steps.Add(h);
        }

        return returnSequences ? stack(steps, 1) : h;
    };

    /// <summary>The layers one after another (a block), each taking its weights in turn.</summary>
    public static ReferenceLayer Chain(params ReferenceLayer[] layers) => (x, s) => layers.Aggregate(x, (value, layer) => layer(value, s));

    /// <summary>body(x) + x, or body(x) + projection(x); the body's weights come first.</summary>
    public static ReferenceLayer Residual(ReferenceLayer body, ReferenceLayer? projection = null) => (x, s) =>
    {
        Tensor y = body(x, s);
        return y.add(projection is null ? x : projection(x, s));
    };

    /// <summary>
    /// x Wᵀ, after checking the sizes agree: TorchSharp's matmul does not turn LibTorch's size error into an exception, so a
    /// weight of the wrong shape would end the test process instead of failing the test.
    /// </summary>
    private static Tensor Project(Tensor x, Tensor weight)
    {
        Assert.True(weight.dim() == 2 && x.shape[^1] == weight.shape[1], $"a weight of shape [{string.Join(", ", weight.shape)}] cannot map {x.shape[^1]} features");
        return x.matmul(weight.t());
    }

    private static Tensor Windows(Tensor x, int kernel, int stride) => x.unfold(2, kernel, stride).unfold(3, kernel, stride);

    private static Tensor Logistic(Tensor x) => x.neg().exp().add(1).reciprocal();

    private static Tensor Hyperbolic(Tensor x) => x.mul(2).exp().add(1).reciprocal().mul(-2).add(1);
}
