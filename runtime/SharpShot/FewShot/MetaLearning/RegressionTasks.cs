namespace SharpShot.FewShot;

/// <summary>
/// One few-shot regression episode: a support set (the points to adapt on) and a query set (the points the
/// adapted model is evaluated on), drawn from the same task. Inputs and targets are row-major, one sample after
/// another, in the shapes of the family's <see cref="IRegressionTaskFamily.InputShape"/> and
/// <see cref="IRegressionTaskFamily.OutputShape"/>.
/// </summary>
public class RegressionEpisode
{
    /// <summary>Creates an episode, checking that each set's inputs and outputs describe the same number of samples.</summary>
    /// <param name="supportX">Support inputs.</param>
    /// <param name="supportY">Support targets.</param>
    /// <param name="queryX">Query inputs.</param>
    /// <param name="queryY">Query targets.</param>
    /// <param name="inputLength">Values per input sample.</param>
    /// <param name="outputLength">Values per target.</param>
    /// <exception cref="ArgumentException">A set's inputs and targets do not describe the same number of whole samples, or a set is empty.</exception>
    public RegressionEpisode(float[] supportX, float[] supportY, float[] queryX, float[] queryY, int inputLength = 1, int outputLength = 1)
    {
        ArgumentNullException.ThrowIfNull(supportX);
        ArgumentNullException.ThrowIfNull(supportY);
        ArgumentNullException.ThrowIfNull(queryX);
        ArgumentNullException.ThrowIfNull(queryY);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputLength);
        if (!Fits(supportX, supportY, inputLength, outputLength) || !Fits(queryX, queryY, inputLength, outputLength))
        {
            throw new ArgumentException(
                $"Each set needs one target of {outputLength} value(s) per input of {inputLength}; got support {supportX.Length} x / {supportY.Length} y, query {queryX.Length} x / {queryY.Length} y.");
        }

        SupportX = supportX;
        SupportY = supportY;
        QueryX = queryX;
        QueryY = queryY;
        SupportCount = supportX.Length / inputLength;
        QueryCount = queryX.Length / inputLength;
    }

    /// <summary>Support inputs, e.g. the K points of K-shot regression; a model of input shape (1) takes them as a (K, 1) batch.</summary>
    public float[] SupportX { get; }

    /// <summary>Support targets, one per support input.</summary>
    public float[] SupportY { get; }

    /// <summary>Query inputs, drawn independently of the support inputs.</summary>
    public float[] QueryX { get; }

    /// <summary>Query targets, one per query input.</summary>
    public float[] QueryY { get; }

    /// <summary>Number of support samples.</summary>
    public int SupportCount { get; }

    /// <summary>Number of query samples.</summary>
    public int QueryCount { get; }

    private static bool Fits(float[] x, float[] y, int inputLength, int outputLength) =>
        x.Length > 0 && x.Length % inputLength == 0 && y.Length == x.Length / inputLength * outputLength;
}

/// <summary>
/// A family of few-shot regression tasks (e.g. <see cref="SinusoidTasks"/>). Episodes are addressed by a seed and an
/// index, so meta-training can resume exactly where it stopped and validation and test tasks are separate streams.
/// </summary>
public interface IRegressionTaskFamily
{
    /// <summary>Shape of one input sample, without the batch dimension.</summary>
    IReadOnlyList<int> InputShape { get; }

    /// <summary>Shape of one target, without the batch dimension.</summary>
    IReadOnlyList<int> OutputShape { get; }

    /// <summary>The episode at <paramref name="index"/> of the stream <paramref name="seed"/>: the same arguments always give the same episode.</summary>
    /// <param name="seed">Which stream.</param>
    /// <param name="index">Position in the stream, at least 0.</param>
    /// <param name="supportCount">Support samples, at least 1.</param>
    /// <param name="queryCount">Query samples, at least 1.</param>
    RegressionEpisode Episode(int seed, long index, int supportCount, int queryCount);
}
