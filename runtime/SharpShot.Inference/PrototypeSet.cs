using System.Buffers;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Numerics.Tensors;

namespace SharpShot.Inference;

/// <summary>
/// Class prototypes of Prototypical Networks (Snell et al., 2017), the one home of their arithmetic: each class's prototype
/// is the mean of its support embeddings, and a query scores the classes by the softmax over its negative squared
/// Euclidean distances to them, <c>p(k | x) ∝ exp(−‖f(x) − c_k‖²)</c>. Works on embeddings computed by any means —
/// <see cref="FewShotClassifier"/> computes them with its own embedding model; a server can compute them with a shared one.
/// Immutable once made, so it may be read from many threads: <see cref="WithExamples"/> and <see cref="WithoutClass"/>
/// return new sets. It keeps the support embeddings, so that a set grown or shrunk is exactly (bit for bit) the set a
/// fit of all its examples would make, without running the embedding model on the old examples again, and so that
/// <see cref="RejectionDistance"/> can be calibrated from them.
/// </summary>
public sealed class PrototypeSet
{
    private readonly string[] _classes;
    private readonly float[] _values;
    private readonly int[] _supportCounts;

    // The support embeddings, one after another, and each one's class index: what the prototypes were made from.
    private readonly float[] _support;
    private readonly int[] _classOf;
    private readonly Lazy<double> _rejectionDistance;

    private PrototypeSet(string[] classes, float[] values, int[] supportCounts, int embeddingLength, float[] support, int[] classOf)
    {
        _classes = classes;
        _values = values;
        _supportCounts = supportCounts;
        _support = support;
        _classOf = classOf;
        EmbeddingLength = embeddingLength;
        Classes = Array.AsReadOnly(classes);
        SupportCounts = Array.AsReadOnly(supportCounts);
        _rejectionDistance = new Lazy<double>(CalibrateRejectionDistance);
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
        var names = new List<string>();
        var classOf = ClassIndices(labels, names);
        return FromEmbeddings(embeddings, embeddingLength, classOf, [.. names]);
    }

    /// <summary>
    /// This set with more labelled examples: examples of a known class join its prototype, examples of a new label make a
    /// new class after the others (in order of first appearance). Equal, bit for bit, to a set made from all the examples
    /// at once (the old ones first); the old examples are not embedded again.
    /// </summary>
    /// <param name="embeddings">One embedding of <see cref="EmbeddingLength"/> values per label.</param>
    /// <param name="labels">One class name per embedding, compared ordinally.</param>
    /// <exception cref="ArgumentException">No labels, a null label, sizes that differ, or an embedding that is not finite.</exception>
    public PrototypeSet WithExamples(ReadOnlySpan<float> embeddings, IReadOnlyList<string> labels)
    {
        var names = new List<string>(_classes);
        var added = ClassIndices(labels, names);
        if (embeddings.Length != (long)added.Length * EmbeddingLength)
        {
            throw new ArgumentException(
                $"Expected {added.Length} embeddings of {EmbeddingLength} values ({(long)added.Length * EmbeddingLength}), got {embeddings.Length} values.", nameof(embeddings));
        }

        var support = new float[_support.Length + embeddings.Length];
        _support.CopyTo(support, 0);
        embeddings.CopyTo(support.AsSpan(_support.Length));
        return FromEmbeddings(support, EmbeddingLength, [.. _classOf, .. added], [.. names]);
    }

    /// <summary>This set without the class <paramref name="label"/> and its examples; the other prototypes are unchanged.</summary>
    /// <exception cref="ArgumentException">No class has that label.</exception>
    /// <exception cref="InvalidOperationException">It is the only class (a set needs one; make a new set instead).</exception>
    public PrototypeSet WithoutClass(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var removed = Array.IndexOf(_classes, label);
        if (removed < 0)
        {
            throw new ArgumentException($"There is no class '{label}'; the classes are {string.Join(", ", _classes.Select(c => $"'{c}'"))}.", nameof(label));
        }
        if (_classes.Length == 1)
        {
            throw new InvalidOperationException($"'{label}' is the only class, and a prototype set needs one; make a new set from other examples instead.");
        }

        var kept = Enumerable.Range(0, _classOf.Length).Where(i => _classOf[i] != removed).ToArray();
        var support = new float[(long)kept.Length * EmbeddingLength];
        var classOf = new int[kept.Length];
        for (var k = 0; k < kept.Length; k++)
        {
            _support.AsSpan(kept[k] * EmbeddingLength, EmbeddingLength).CopyTo(support.AsSpan(k * EmbeddingLength));
            classOf[k] = _classOf[kept[k]] > removed ? _classOf[kept[k]] - 1 : _classOf[kept[k]];
        }
        return FromEmbeddings(support, EmbeddingLength, classOf, [.. _classes.Where((_, c) => c != removed)]);
    }

    /// <summary>
    /// The distance (Euclidean, in embedding space) beyond which a query is "unknown" for <see cref="Nearest"/>, calibrated
    /// from the support set: the largest leave-one-out distance of a support example to its class's prototype made
    /// without it — how far a new example of a known class can be expected to fall — over the classes with two or more
    /// examples. When every class has one example, half the smallest distance between two prototypes (a query nearer to
    /// its prototype than that is nearer to it than to any other's territory). With one class of one example there is no
    /// scale to calibrate from, and it is infinite (nothing is rejected).
    /// </summary>
    public double RejectionDistance => _rejectionDistance.Value;

    private double CalibrateRejectionDistance()
    {
        var length = EmbeddingLength;
        double largest = -1;
        var leftOut = new float[length];
        for (var i = 0; i < _classOf.Length; i++)
        {
            var c = _classOf[i];
            var n = _supportCounts[c];
            if (n < 2)
            {
                continue;
            }
            // The class's mean without example i: (n·prototype − e_i) / (n − 1).
            var example = _support.AsSpan(i * length, length);
            var prototype = _values.AsSpan(c * length, length);
            for (var j = 0; j < length; j++)
            {
                leftOut[j] = (float)(((double)n * prototype[j] - example[j]) / (n - 1));
            }
            largest = Math.Max(largest, TensorPrimitives.Distance(example, leftOut));
        }
        if (largest >= 0)
        {
            return largest;
        }

        var smallest = double.PositiveInfinity;
        for (var a = 0; a < _classes.Length; a++)
        {
            for (var b = a + 1; b < _classes.Length; b++)
            {
                smallest = Math.Min(smallest, TensorPrimitives.Distance(_values.AsSpan(a * length, length), _values.AsSpan(b * length, length)));
            }
        }
        return smallest / 2;
    }

    /// <summary>
    /// Each query's nearest class, or −1 ("unknown") when even the nearest prototype is farther than
    /// <paramref name="rejectionDistance"/>; and that distance (Euclidean) into <paramref name="distances"/> when it is not empty.
    /// </summary>
    /// <param name="embeddings"><paramref name="count"/> query embeddings, one after another.</param>
    /// <param name="count">Number of queries.</param>
    /// <param name="rejectionDistance">The distance beyond which a query is unknown: <see cref="RejectionDistance"/> as calibrated, or your own; infinity rejects nothing.</param>
    /// <param name="classes">Receives one class index (or −1) per query.</param>
    /// <param name="distances">Receives one distance per query, or is empty.</param>
    /// <exception cref="ArgumentException">The sizes do not match <paramref name="count"/>, or <paramref name="rejectionDistance"/> is NaN or negative.</exception>
    public void Nearest(ReadOnlySpan<float> embeddings, int count, double rejectionDistance, Span<int> classes, Span<float> distances)
    {
        if (double.IsNaN(rejectionDistance) || rejectionDistance < 0)
        {
            throw new ArgumentException($"The rejection distance is {rejectionDistance}; it must be 0 or more (infinity rejects nothing).", nameof(rejectionDistance));
        }
        if (classes.Length < count || (!distances.IsEmpty && distances.Length < count))
        {
            throw new ArgumentException($"{count} queries need {count} class indices (and distances, when asked for).", nameof(classes));
        }

        var squared = new float[count];
        ScoreCore(embeddings, count, classes, probabilities: default, squared);
        for (var q = 0; q < count; q++)
        {
            var distance = MathF.Sqrt(squared[q]);
            if (!(distance <= rejectionDistance))
            {
                classes[q] = -1;
            }
            if (!distances.IsEmpty)
            {
                distances[q] = distance;
            }
        }
    }

    /// <summary>Each label's class index, adding labels not yet in <paramref name="names"/> to it in order of first appearance.</summary>
    internal static int[] ClassIndices(IReadOnlyList<string> labels, List<string> names)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < names.Count; c++)
        {
            classIndex[names[c]] = c;
        }
        var classOf = new int[labels.Count];
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
        return classOf;
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
        return new PrototypeSet(classes, values, counts, embeddingLength, embeddings.ToArray(), (int[])classOf.Clone());
    }

    /// <summary>
    /// Scores <paramref name="count"/> query embeddings: the negative squared distance to every prototype (vectorised,
    /// <see cref="TensorPrimitives.Distance(ReadOnlySpan{float}, ReadOnlySpan{float})"/>); writes each query's nearest class
    /// into <paramref name="classes"/> and/or the softmax of its scores into <paramref name="probabilities"/> (one row of
    /// <see cref="Classes"/>.Count per query). Either span may be empty. A query whose embedding is not finite gets class 0
    /// and NaN probabilities.
    /// </summary>
    /// <exception cref="ArgumentException">The embeddings are not <paramref name="count"/> × <see cref="EmbeddingLength"/> values, or a non-empty span is too short.</exception>
    public void Score(ReadOnlySpan<float> embeddings, int count, Span<int> classes, Span<float> probabilities) =>
        ScoreCore(embeddings, count, classes, probabilities, nearestSquared: default);

    private void ScoreCore(ReadOnlySpan<float> embeddings, int count, Span<int> classes, Span<float> probabilities, Span<float> nearestSquared)
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
                    double distance = TensorPrimitives.Distance(embedding, _values.AsSpan(c * length, length));
                    var score = -(distance * distance);
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
                if (!nearestSquared.IsEmpty)
                {
                    nearestSquared[q] = double.IsNegativeInfinity(bestScore) ? float.NaN : (float)-bestScore;
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
