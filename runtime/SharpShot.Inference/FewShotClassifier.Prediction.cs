using System.Buffers;

namespace SharpShot.Inference;

public sealed partial class FewShotClassifier
{
    /// <summary>Runs the embedding model on samples, without the prototypes (works before Fit).</summary>
    /// <param name="samples">Any number of samples, <see cref="InputLength"/> values each, one after another.</param>
    /// <returns>One row of <see cref="EmbeddingLength"/> values per sample.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="samples"/> is not a whole number of samples.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public float[] Embed(ReadOnlySpan<float> samples)
    {
        ThrowIfDisposed();
        var count = SampleCount(samples, nameof(samples));
        var embeddings = new float[(long)count * EmbeddingLength];
        EmbedInto(samples, count, embeddings);
        return embeddings;
    }

    /// <summary>Predicts the class of each query: the one whose prototype is nearest to the query's embedding.</summary>
    /// <param name="querySamples">Any number of queries, <see cref="InputLength"/> values each, one after another.</param>
    /// <returns>One index into <see cref="Classes"/> per query; the first such class on ties.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="querySamples"/> is not a whole number of samples.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public int[] Predict(ReadOnlySpan<float> querySamples)
    {
        var prototypes = RequireFitted("predict");
        var count = SampleCount(querySamples, nameof(querySamples));
        var classes = new int[count];
        Score(prototypes, querySamples, count, classes, probabilities: default);
        return classes;
    }

    /// <summary>Predicts the class of each query into caller memory.</summary>
    /// <param name="querySamples">Any number of queries, <see cref="InputLength"/> values each, one after another.</param>
    /// <param name="classIndices">Receives one index into <see cref="Classes"/> per query in its first elements; may be longer.</param>
    /// <exception cref="ShapeMismatchException"><paramref name="querySamples"/> is not a whole number of samples, or <paramref name="classIndices"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void Predict(ReadOnlySpan<float> querySamples, Span<int> classIndices)
    {
        var prototypes = RequireFitted("predict");
        var count = SampleCount(querySamples, nameof(querySamples));
        if (classIndices.Length < count)
        {
            throw new ShapeMismatchException(nameof(classIndices),
                $"The class index span holds {classIndices.Length} values; {count} queries need {count}.", count, classIndices.Length);
        }
        Score(prototypes, querySamples, count, classIndices[..count], probabilities: default);
    }

    /// <summary>Predicts the class name of each query.</summary>
    /// <param name="querySamples">Any number of queries, <see cref="InputLength"/> values each, one after another.</param>
    /// <returns>One entry of <see cref="Classes"/> per query.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="querySamples"/> is not a whole number of samples.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public string[] PredictLabels(ReadOnlySpan<float> querySamples)
    {
        var prototypes = RequireFitted("predict");
        var count = SampleCount(querySamples, nameof(querySamples));
        var classes = new int[count];
        Score(prototypes, querySamples, count, classes, probabilities: default);
        return Array.ConvertAll(classes, c => prototypes.Classes[c]);
    }

    /// <summary>Predicts the class of one sample: the one whose prototype is nearest to its embedding.</summary>
    /// <param name="sample"><see cref="InputLength"/> values in row-major <see cref="InputShape"/> order.</param>
    /// <returns>An index into <see cref="Classes"/>; the first such class on ties.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="sample"/> does not hold <see cref="InputLength"/> values.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public int Classify(ReadOnlySpan<float> sample)
    {
        var prototypes = RequireFitted("predict");
        CheckSingleSample(sample);
        Span<int> result = stackalloc int[1];
        Score(prototypes, sample, 1, result, probabilities: default);
        return result[0];
    }

    /// <summary>Predicts the class name of one sample.</summary>
    /// <param name="sample"><see cref="InputLength"/> values in row-major <see cref="InputShape"/> order.</param>
    /// <returns>An entry of <see cref="Classes"/>.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="sample"/> does not hold <see cref="InputLength"/> values.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public string ClassifyLabel(ReadOnlySpan<float> sample)
    {
        var prototypes = RequireFitted("predict");
        CheckSingleSample(sample);
        Span<int> result = stackalloc int[1];
        Score(prototypes, sample, 1, result, probabilities: default);
        return prototypes.Classes[result[0]];
    }

    /// <summary>
    /// Class probabilities of each query: the softmax over the negative squared Euclidean distances from the
    /// query's embedding to the prototypes, <c>p(k | x) ∝ exp(−‖f(x) − c_k‖²)</c> (Snell et al., 2017).
    /// </summary>
    /// <param name="querySamples">Any number of queries, <see cref="InputLength"/> values each, one after another (one sample gives one row).</param>
    /// <returns>One row of <see cref="ClassCount"/> probabilities per query, columns in <see cref="Classes"/> order.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="querySamples"/> is not a whole number of samples.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public float[] PredictProbabilities(ReadOnlySpan<float> querySamples)
    {
        var prototypes = RequireFitted("predict");
        var count = SampleCount(querySamples, nameof(querySamples));
        var probabilities = new float[(long)count * prototypes.Classes.Count];
        Score(prototypes, querySamples, count, classes: default, probabilities);
        return probabilities;
    }

    /// <summary>Class probabilities of each query, written into caller memory; see <see cref="PredictProbabilities(ReadOnlySpan{float})"/>.</summary>
    /// <param name="querySamples">Any number of queries, <see cref="InputLength"/> values each, one after another (one sample gives one row).</param>
    /// <param name="probabilities">Receives one row of <see cref="ClassCount"/> probabilities per query in its first elements; may be longer.</param>
    /// <exception cref="ShapeMismatchException"><paramref name="querySamples"/> is not a whole number of samples, or <paramref name="probabilities"/> is too short.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public void PredictProbabilities(ReadOnlySpan<float> querySamples, Span<float> probabilities)
    {
        var prototypes = RequireFitted("predict");
        var count = SampleCount(querySamples, nameof(querySamples));
        var classCount = prototypes.Classes.Count;
        var needed = (long)count * classCount;
        if (probabilities.Length < needed)
        {
            throw new ShapeMismatchException(nameof(probabilities),
                $"The probabilities span holds {probabilities.Length} values; {count} queries need {count} x {classCount} classes = {needed}.",
                needed, probabilities.Length);
        }
        Score(prototypes, querySamples, count, classes: default, probabilities[..(int)needed]);
    }

    /// <summary>
    /// Each query's class index, or −1 ("unknown") when its embedding is farther than <see cref="RejectionDistance"/>
    /// from every prototype (an object of no class in the support set, or no object at all).
    /// </summary>
    /// <param name="querySamples">Any number of queries, <see cref="InputLength"/> values each, one after another.</param>
    /// <returns>One class index or −1 per query.</returns>
    /// <exception cref="ShapeMismatchException"><paramref name="querySamples"/> is not a whole number of samples.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public int[] PredictOrUnknown(ReadOnlySpan<float> querySamples)
    {
        var prototypes = RequireFitted("predict");
        var count = SampleCount(querySamples, nameof(querySamples));
        var classes = new int[count];
        if (count == 0)
        {
            return classes;
        }
        var embeddings = new float[(long)count * EmbeddingLength];
        EmbedInto(querySamples, count, embeddings);
        prototypes.Nearest(embeddings, count, _rejectionDistance ?? prototypes.RejectionDistance, classes, distances: default);
        return classes;
    }

    /// <summary>The class name of one sample, or null ("unknown") when it is farther than <see cref="RejectionDistance"/> from every prototype.</summary>
    /// <exception cref="ShapeMismatchException"><paramref name="sample"/> does not hold <see cref="InputLength"/> values.</exception>
    /// <exception cref="InvalidOperationException">The classifier has not been fitted.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public string? ClassifyLabelOrUnknown(ReadOnlySpan<float> sample)
    {
        CheckSingleSample(sample);
        var prototypes = RequireFitted("classify");
        var embedding = new float[EmbeddingLength];
        EmbedInto(sample, 1, embedding);
        var result = new int[1];
        prototypes.Nearest(embedding, 1, _rejectionDistance ?? prototypes.RejectionDistance, result, distances: default);
        return result[0] < 0 ? null : prototypes.Classes[result[0]];
    }

    /// <summary>Embeds the queries and scores them against the prototypes (<see cref="PrototypeSet.Score"/>); either span may be empty.</summary>
    private void Score(PrototypeSet prototypes, ReadOnlySpan<float> queries, int count, Span<int> classes, Span<float> probabilities)
    {
        if (count == 0)
        {
            return;
        }
        var embeddingCount = checked(count * EmbeddingLength);
        var embeddings = ArrayPool<float>.Shared.Rent(embeddingCount);
        try
        {
            EmbedInto(queries, count, embeddings.AsSpan(0, embeddingCount));
            prototypes.Score(embeddings.AsSpan(0, embeddingCount), count, classes, probabilities);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(embeddings);
        }
    }

    private int SampleCount(ReadOnlySpan<float> samples, string paramName)
    {
        var inputLength = InputLength;
        if (samples.Length % inputLength != 0)
        {
            var whole = samples.Length / inputLength;
            var expected = (long)(whole + 1) * inputLength;
            throw new ShapeMismatchException(paramName,
                $"Expected a whole number of samples of {inputLength} values each (shape {FormatInputShape()}), got {samples.Length} values: " +
                $"{whole} samples and {samples.Length - whole * inputLength} values left over.",
                expected, samples.Length);
        }
        return samples.Length / inputLength;
    }

    private void CheckSingleSample(ReadOnlySpan<float> sample)
    {
        if (sample.Length != InputLength)
        {
            throw new ShapeMismatchException(nameof(sample),
                $"Expected {InputLength} values per sample (shape {FormatInputShape()}), got {sample.Length}.",
                InputLength, sample.Length);
        }
    }
}
