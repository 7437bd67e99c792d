using System.Buffers;
using System.Collections.ObjectModel;
using System.Globalization;

namespace SharpShot.Inference;

/// <summary>
/// Class prototypes of Prototypical Networks (Snell et al., 2017), the one home of their arithmetic: each class's prototype
/// is the mean of its support embeddings, and a query scores the classes by the softmax over its negative squared
/// Euclidean distances to them, <c>p(k | x) ∝ exp(−‖f(x) − c_k‖²)</c>. Works on embeddings computed by any means —
/// <see cref="FewShotClassifier"/> computes them with its own embedding model; a server can compute them with a shared one.
/// Immutable once made, so it may be read from many threads.
/// </summary>
public sealed class PrototypeSet
{
    private readonly string[] _classes;
    private readonly float[] _values;
    private readonly int[] _supportCounts;

    private PrototypeSet(string[] classes, float[] values, int[] supportCounts, int embeddingLength)
    {
        _classes = classes;
        _values = values;
        _supportCounts = supportCounts;
        EmbeddingLength = embeddingLength;
        Classes = Array.AsReadOnly(classes);
        SupportCounts = Array.AsReadOnly(supportCounts);
    }

    /// <summary>The class names, in order of first appearance in the support labels; class indices and probability columns index this list.</summary>
    public ReadOnlyCollection<string> Classes { get; }

    /// <summary>Number of support samples behind each prototype, in <see cref="Classes"/> order.</summary>
    public ReadOnlyCollection<int> SupportCounts { get; }

    /// <summary>Values in one embedding and in each prototype.</summary>
    public int EmbeddingLength { get; }

    /// <summary>The prototypes: <see cref="Classes"/>.Count rows of <see cref="EmbeddingLength"/> values, row-major (no copy).</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Averages each class's support embeddings, in double precision.</summary>
    /// <param name="embeddings">One embedding of <paramref name="embeddingLength"/> values per label, one after another.</param>
    /// <param name="embeddingLength">Values per embedding (at least 1).</param>
    /// <param name="labels">One class name per embedding, compared ordinally.</param>
    /// <exception cref="ArgumentException">No labels, a null label, an embedding length below 1, an embedding count that is not one per label, or an embedding that is not finite (the message names the sample and class).</exception>
    public static PrototypeSet FromEmbeddings(ReadOnlySpan<float> embeddings, int embeddingLength, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var classOf = new int[labels.Count];
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        for (var i = 0; i < classOf.Length; i++)
        {
            var label = labels[i] ?? throw new ArgumentException($"Support label {i} is null; every support sample needs a class name.", nameof(labels));
            if (!classIndex.TryGetValue(label, out var index))
            {
                index = names.Count;
                classIndex.Add(label, index);
                names.Add(label);
            }
            classOf[i] = index;
        }
        return FromEmbeddings(embeddings, embeddingLength, classOf, [.. names]);
    }

    /// <summary>Averages the embeddings of each class (<paramref name="classOf"/>[i] indexes <paramref name="classes"/>).</summary>
    internal static PrototypeSet FromEmbeddings(ReadOnlySpan<float> embeddings, int embeddingLength, int[] classOf, string[] classes)
    {
        if (embeddingLength < 1)
        {
            throw new ArgumentException($"The embedding length is {embeddingLength}; it must be at least 1.", nameof(embeddingLength));
        }
        if (classOf.Length == 0)
        {
            throw new ArgumentException("The support set is empty: prototypes need at least one labelled sample per class.", nameof(embeddings));
        }
        if (embeddings.Length != (long)classOf.Length * embeddingLength)
        {
            throw new ArgumentException(
                $"Expected {classOf.Length} embeddings of {embeddingLength} values ({(long)classOf.Length * embeddingLength}), got {embeddings.Length} values.", nameof(embeddings));
        }

        var sums = new double[(long)classes.Length * embeddingLength];
        var counts = new int[classes.Length];
        for (var i = 0; i < classOf.Length; i++)
        {
            var embedding = embeddings.Slice(i * embeddingLength, embeddingLength);
            var sum = sums.AsSpan(classOf[i] * embeddingLength, embeddingLength);
            for (var j = 0; j < embeddingLength; j++)
            {
                if (!float.IsFinite(embedding[j]))
                {
                    throw new ArgumentException(
                        $"The embedding of support sample {i} (class '{classes[classOf[i]]}') has {embedding[j].ToString(CultureInfo.InvariantCulture)} " +
                        $"at position {j}, so no prototype can be computed from it; check that sample's values (NaN or infinity, or values far outside the training range).",
                        nameof(embeddings));
                }
                sum[j] += embedding[j];
            }
            counts[classOf[i]]++;
        }

        var values = new float[sums.Length];
        for (var c = 0; c < classes.Length; c++)
        {
            for (var j = 0; j < embeddingLength; j++)
            {
                values[c * embeddingLength + j] = (float)(sums[c * embeddingLength + j] / counts[c]);
            }
        }
        return new PrototypeSet(classes, values, counts, embeddingLength);
    }

    /// <summary>
    /// Scores <paramref name="count"/> query embeddings: the negative squared distance to every prototype, in double
    /// precision; writes each query's nearest class into <paramref name="classes"/> and/or the softmax of its scores into
    /// <paramref name="probabilities"/> (one row of <see cref="Classes"/>.Count per query). Either span may be empty.
    /// A query whose embedding is not finite gets class 0 and NaN probabilities.
    /// </summary>
    /// <exception cref="ArgumentException">The embeddings are not <paramref name="count"/> × <see cref="EmbeddingLength"/> values, or a non-empty span is too short.</exception>
    public void Score(ReadOnlySpan<float> embeddings, int count, Span<int> classes, Span<float> probabilities)
    {
        var length = EmbeddingLength;
        var classCount = _classes.Length;
        if (count < 0 || embeddings.Length != (long)count * length)
        {
            throw new ArgumentException($"Expected {count} embeddings of {length} values, got {embeddings.Length} values.", nameof(embeddings));
        }
        if ((!classes.IsEmpty && classes.Length < count) || (!probabilities.IsEmpty && probabilities.Length < (long)count * classCount))
        {
            throw new ArgumentException($"{count} queries need {count} class indices and {(long)count * classCount} probabilities.", classes.IsEmpty ? nameof(probabilities) : nameof(classes));
        }

        var scores = ArrayPool<double>.Shared.Rent(classCount);
        try
        {
            for (var q = 0; q < count; q++)
            {
                var embedding = embeddings.Slice(q * length, length);
                var best = 0;
                var bestScore = double.NegativeInfinity;
                for (var c = 0; c < classCount; c++)
                {
                    var prototype = _values.AsSpan(c * length, length);
                    double squaredDistance = 0;
                    for (var j = 0; j < length; j++)
                    {
                        var difference = (double)embedding[j] - prototype[j];
                        squaredDistance += difference * difference;
                    }
                    var score = -squaredDistance;
                    scores[c] = score;
                    // NaN never wins, so a query whose embedding is not finite gets class 0 (as OnnxModel.Classify does).
                    if (score > bestScore)
                    {
                        best = c;
                        bestScore = score;
                    }
                }
                if (!classes.IsEmpty)
                {
                    classes[q] = best;
                }
                if (!probabilities.IsEmpty)
                {
                    Softmax(scores.AsSpan(0, classCount), bestScore, probabilities.Slice(q * classCount, classCount));
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
        }
    }

    /// <summary>Softmax shifted by the largest score, so that exp never overflows; NaN scores give NaN probabilities.</summary>
    private static void Softmax(ReadOnlySpan<double> scores, double max, Span<float> probabilities)
    {
        if (double.IsNegativeInfinity(max))
        {
            // Every score is NaN (or -inf, which float inputs cannot produce): nothing to normalize.
            probabilities.Fill(float.NaN);
            return;
        }
        double total = 0;
        foreach (var score in scores)
        {
            total += Math.Exp(score - max);
        }
        for (var c = 0; c < scores.Length; c++)
        {
            probabilities[c] = (float)(Math.Exp(scores[c] - max) / total);
        }
    }

    internal string[] ClassArray => _classes;

    internal float[] ValueArray => _values;

    internal int[] SupportCountArray => _supportCounts;
}
