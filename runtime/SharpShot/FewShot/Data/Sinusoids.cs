using SharpShot.Data;
namespace SharpShot.FewShot;

/// <summary>
/// One task of the sinusoid regression family of Finn et al. 2017 (MAML): y = <see cref="Amplitude"/> ·
/// sin(x − <see cref="Phase"/>).
/// </summary>
/// <param name="Amplitude">The amplitude A.</param>
/// <param name="Phase">The phase φ, in radians.</param>
public readonly record struct SinusoidTask(float Amplitude, float Phase)
{
    /// <summary>The task's function at <paramref name="x"/>: A · sin(x − φ), computed in double precision.</summary>
    /// <param name="x">The input.</param>
    public float Evaluate(float x) => (float)(Amplitude * Math.Sin(x - (double)Phase));

    /// <summary>The task's function at each of <paramref name="x"/>.</summary>
    /// <param name="x">The inputs.</param>
    /// <returns>A new array with one output per input.</returns>
    public float[] Evaluate(ReadOnlySpan<float> x)
    {
        var y = new float[x.Length];
        Evaluate(x, y);
        return y;
    }

    /// <summary>Writes the task's function at each of <paramref name="x"/> into <paramref name="y"/>, without allocating.</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="y">The outputs, as long as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public void Evaluate(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length != x.Length)
        {
            throw new ArgumentException($"The output span has {y.Length} elements; the input has {x.Length}.", nameof(y));
        }

        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Evaluate(x[i]);
        }
    }
}

/// <summary>
/// One few-shot regression episode: a task with a support set (the K points to adapt on) and a query set (the
/// points the adapted model is evaluated on), both drawn independently from the same task.
/// </summary>
public sealed class SinusoidEpisode : RegressionEpisode
{
    /// <summary>Creates an episode, checking that each set's inputs and outputs have the same length.</summary>
    /// <param name="task">The task the points come from.</param>
    /// <param name="supportX">Support inputs.</param>
    /// <param name="supportY">Support outputs, one per input.</param>
    /// <param name="queryX">Query inputs.</param>
    /// <param name="queryY">Query outputs, one per input.</param>
    /// <exception cref="ArgumentException">Inputs and outputs of a set differ in length, or a set is empty.</exception>
    public SinusoidEpisode(SinusoidTask task, float[] supportX, float[] supportY, float[] queryX, float[] queryY)
        : base(supportX, supportY, queryX, queryY) => Task = task;

    /// <summary>The task the points come from.</summary>
    public SinusoidTask Task { get; }
}

/// <summary>
/// The sinusoid task family as a seekable <see cref="IRegressionTaskFamily"/> for meta-training: input and output
/// shape (1), episode <c>i</c> of stream <c>s</c> drawn by a <see cref="SinusoidTaskSampler"/> of its own, seeded from
/// (s, i), with the ranges given here (Finn et al. 2017's by default).
/// </summary>
/// <param name="MinAmplitude">Smallest amplitude.</param>
/// <param name="MaxAmplitude">Largest amplitude.</param>
/// <param name="MinPhase">Smallest phase, in radians.</param>
/// <param name="MaxPhase">Largest phase.</param>
/// <param name="MinX">Smallest input.</param>
/// <param name="MaxX">Largest input.</param>
public sealed record SinusoidTasks(
    float MinAmplitude = SinusoidTaskSampler.DefaultMinAmplitude,
    float MaxAmplitude = SinusoidTaskSampler.DefaultMaxAmplitude,
    float MinPhase = SinusoidTaskSampler.DefaultMinPhase,
    float MaxPhase = SinusoidTaskSampler.DefaultMaxPhase,
    float MinX = SinusoidTaskSampler.DefaultMinX,
    float MaxX = SinusoidTaskSampler.DefaultMaxX) : IRegressionTaskFamily
{
    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => [1];

    /// <inheritdoc />
    public IReadOnlyList<int> OutputShape => [1];

    /// <inheritdoc />
    public RegressionEpisode Episode(int seed, long index, int supportCount, int queryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int episodeSeed = unchecked((int)SplitMix64.Mix((ulong)(uint)seed, (ulong)index));
        return new SinusoidTaskSampler(episodeSeed, MinAmplitude, MaxAmplitude, MinPhase, MaxPhase, MinX, MaxX).NextEpisode(supportCount, queryCount);
    }
}

/// <summary>
/// Draws sinusoid regression tasks and their points as in Finn et al. 2017: amplitude uniform in [0.1, 5], phase
/// uniform in [0, π], inputs uniform in [−5, 5] (each range configurable). Deterministic: the same seed and the same
/// sequence of calls give the same tasks and points. Not thread-safe: use one sampler per thread.
/// </summary>
/// <example>
/// A MAML meta-batch of 25 tasks, 10-shot, with 10 query points each:
/// <code>
/// var sampler = new SinusoidTaskSampler(seed: 1);
/// foreach (SinusoidEpisode episode in sampler.NextEpisodes(25, supportCount: 10, queryCount: 10)) { ... }
/// </code>
/// </example>
public sealed class SinusoidTaskSampler
{
    /// <summary>Default smallest amplitude (Finn et al. 2017).</summary>
    public const float DefaultMinAmplitude = 0.1f;

    /// <summary>Default largest amplitude (Finn et al. 2017).</summary>
    public const float DefaultMaxAmplitude = 5f;

    /// <summary>Default smallest phase (Finn et al. 2017).</summary>
    public const float DefaultMinPhase = 0f;

    /// <summary>Default largest phase, π (Finn et al. 2017).</summary>
    public const float DefaultMaxPhase = MathF.PI;

    /// <summary>Default smallest input (Finn et al. 2017).</summary>
    public const float DefaultMinX = -5f;

    /// <summary>Default largest input (Finn et al. 2017).</summary>
    public const float DefaultMaxX = 5f;

    private readonly Random _random;

    /// <summary>Creates a sampler with its own generator, seeded with <paramref name="seed"/>.</summary>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="minAmplitude">Smallest amplitude.</param>
    /// <param name="maxAmplitude">Largest amplitude, at least <paramref name="minAmplitude"/>.</param>
    /// <param name="minPhase">Smallest phase, in radians.</param>
    /// <param name="maxPhase">Largest phase, at least <paramref name="minPhase"/>.</param>
    /// <param name="minX">Smallest input.</param>
    /// <param name="maxX">Largest input, at least <paramref name="minX"/>; widen the range to test extrapolation.</param>
    /// <exception cref="ArgumentOutOfRangeException">A range is empty (its maximum below its minimum) or not finite.</exception>
    public SinusoidTaskSampler(
        int seed,
        float minAmplitude = DefaultMinAmplitude,
        float maxAmplitude = DefaultMaxAmplitude,
        float minPhase = DefaultMinPhase,
        float maxPhase = DefaultMaxPhase,
        float minX = DefaultMinX,
        float maxX = DefaultMaxX)
    {
        CheckRange(minAmplitude, maxAmplitude, nameof(maxAmplitude));
        CheckRange(minPhase, maxPhase, nameof(maxPhase));
        CheckRange(minX, maxX, nameof(maxX));
        _random = new Random(seed);
        Seed = seed;
        MinAmplitude = minAmplitude;
        MaxAmplitude = maxAmplitude;
        MinPhase = minPhase;
        MaxPhase = maxPhase;
        MinX = minX;
        MaxX = maxX;
    }

    /// <summary>The seed the sampler was created with.</summary>
    public int Seed { get; }

    /// <summary>Smallest amplitude drawn.</summary>
    public float MinAmplitude { get; }

    /// <summary>Largest amplitude drawn.</summary>
    public float MaxAmplitude { get; }

    /// <summary>Smallest phase drawn.</summary>
    public float MinPhase { get; }

    /// <summary>Largest phase drawn.</summary>
    public float MaxPhase { get; }

    /// <summary>Smallest input drawn.</summary>
    public float MinX { get; }

    /// <summary>Largest input drawn.</summary>
    public float MaxX { get; }

    /// <summary>Draws a task: amplitude uniform in [<see cref="MinAmplitude"/>, <see cref="MaxAmplitude"/>], phase uniform in [<see cref="MinPhase"/>, <see cref="MaxPhase"/>].</summary>
    public SinusoidTask NextTask() => new(Uniform(_random, MinAmplitude, MaxAmplitude), Uniform(_random, MinPhase, MaxPhase));

    /// <summary>Draws <paramref name="count"/> inputs of <paramref name="task"/> uniformly from [<see cref="MinX"/>, <see cref="MaxX"/>] and their outputs.</summary>
    /// <param name="task">The task.</param>
    /// <param name="count">Number of points, at least 0.</param>
    /// <returns>The inputs and the task's outputs at them.</returns>
    public (float[] X, float[] Y) Sample(SinusoidTask task, int count) => Sample(task, count, _random, MinX, MaxX);

    /// <summary>
    /// Draws a task and an episode of it: <paramref name="supportCount"/> support points (K-shot) and
    /// <paramref name="queryCount"/> query points, drawn independently.
    /// </summary>
    /// <param name="supportCount">Support points, at least 1.</param>
    /// <param name="queryCount">Query points, at least 1.</param>
    public SinusoidEpisode NextEpisode(int supportCount, int queryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(supportCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queryCount);
        SinusoidTask task = NextTask();
        (float[] supportX, float[] supportY) = Sample(task, supportCount);
        (float[] queryX, float[] queryY) = Sample(task, queryCount);
        return new SinusoidEpisode(task, supportX, supportY, queryX, queryY);
    }

    /// <summary>Draws a meta-batch: <paramref name="tasks"/> episodes of different tasks, as <see cref="NextEpisode"/>.</summary>
    /// <param name="tasks">Number of episodes (the meta-batch size), at least 1.</param>
    /// <param name="supportCount">Support points per episode, at least 1.</param>
    /// <param name="queryCount">Query points per episode, at least 1.</param>
    public SinusoidEpisode[] NextEpisodes(int tasks, int supportCount, int queryCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tasks);
        var episodes = new SinusoidEpisode[tasks];
        for (int i = 0; i < tasks; i++)
        {
            episodes[i] = NextEpisode(supportCount, queryCount);
        }

        return episodes;
    }

    /// <summary>Draws <paramref name="count"/> inputs uniformly from [<paramref name="minX"/>, <paramref name="maxX"/>] with <paramref name="random"/>, and the task's outputs at them.</summary>
    /// <param name="task">The task.</param>
    /// <param name="count">Number of points, at least 0.</param>
    /// <param name="random">The generator to draw with.</param>
    /// <param name="minX">Smallest input.</param>
    /// <param name="maxX">Largest input, at least <paramref name="minX"/>.</param>
    /// <returns>The inputs and the task's outputs at them.</returns>
    public static (float[] X, float[] Y) Sample(SinusoidTask task, int count, Random random, float minX = DefaultMinX, float maxX = DefaultMaxX)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        CheckRange(minX, maxX, nameof(maxX));
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = Uniform(random, minX, maxX);
        }

        return (x, task.Evaluate(x));
    }

    /// <summary>
    /// <paramref name="count"/> evenly spaced inputs from <paramref name="minX"/> to <paramref name="maxX"/>, both
    /// included: for evaluating or plotting an adapted model over the whole range.
    /// </summary>
    /// <param name="count">Number of inputs, at least 2.</param>
    /// <param name="minX">First input.</param>
    /// <param name="maxX">Last input, at least <paramref name="minX"/>.</param>
    public static float[] Grid(int count, float minX = DefaultMinX, float maxX = DefaultMaxX)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        CheckRange(minX, maxX, nameof(maxX));
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = (float)(minX + ((maxX - (double)minX) * i / (count - 1)));
        }

        return x;
    }

    /// <summary>Uniform in [min, max]; the float rounding of a draw just below max may give max itself.</summary>
    private static float Uniform(Random random, float min, float max) => (float)(min + ((max - (double)min) * random.NextDouble()));

    private static void CheckRange(float min, float max, string name)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || max < min)
        {
            throw new ArgumentOutOfRangeException(name, $"Expected a finite range with minimum <= maximum; got [{min}, {max}].");
        }
    }
}
