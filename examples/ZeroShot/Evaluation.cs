using System.Globalization;
using SharpShot.Data;
using SharpShot.FewShot;
using SharpShot.Inference;

namespace ZeroShotExample;

/// <summary>The held-out classes' test images classified in ONNX Runtime, from descriptions and from examples.</summary>
internal static class Evaluation
{
    private const int OneShotEpisodes = 1000;

    /// <summary>Accuracies on the test images of the held-out classes (and of the others, for the generalized figure).</summary>
    public sealed record Result(
        double ZeroShot,
        double GeneralizedUnseen,
        double GeneralizedSeen,
        FewShotEvaluation OneShot,
        FewShotEvaluation OneShotAndDescription,
        int UnseenImages)
    {
        public double HarmonicMean => 2 * GeneralizedUnseen * GeneralizedSeen / (GeneralizedUnseen + GeneralizedSeen);

        public string Describe(IReadOnlyList<string> unseen) => string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime, {UnseenImages:N0} test images of {string.Join(" and ", unseen)}:\n" +
            $"  zero-shot (descriptions only) among the {unseen.Count}: {ZeroShot:P2} (chance {1.0 / unseen.Count:P0})\n" +
            $"  generalized (all ten classes from descriptions): unseen {GeneralizedUnseen:P2}, seen {GeneralizedSeen:P2}, harmonic mean {HarmonicMean:P2}\n" +
            $"  one-shot prototype among the {unseen.Count} ({OneShot.Episodes} picks of one training image each): {OneShot}\n" +
            $"  one shot plus the description: {OneShotAndDescription}");
    }

    public static Result Run(FewShotClassifier classifier, ClassAttributes attributes, Dataset trainSet, Dataset testSet, IReadOnlyList<string> unseen, int seed)
    {
        string[] names = [.. testSet.ClassNames];
        (float[] images, string[] labels) = Select(classifier, testSet, names.Where(unseen.Contains));
        (float[] seenImages, string[] seenLabels) = Select(classifier, testSet, names.Where(n => !unseen.Contains(n)));

        // Zero-shot: the held-out classes from their descriptions alone.
        classifier.FitDescriptions(attributes.Vectors(unseen), unseen);
        double zeroShot = Accuracy(classifier.PredictLabels(images), labels);

        // Generalized: every class from its description, the held-out classes' images among all ten.
        classifier.FitDescriptions(attributes.Vectors(names), names);
        double generalizedUnseen = Accuracy(classifier.PredictLabels(images), labels);
        double generalizedSeen = Accuracy(classifier.PredictLabels(seenImages), seenLabels);

        // One-shot: one training image per held-out class (never trained on), picked at random, many times over.
        float[] queryEmbeddings = classifier.Embed(images);
        float[] descriptionPrototypes = classifier.MapDescriptions(attributes.Vectors(unseen));
        (float[] shotImages, string[] shotLabels) = Select(classifier, trainSet, unseen);
        float[] shotEmbeddings = classifier.Embed(shotImages);
        int length = classifier.EmbeddingLength;
        var byClass = unseen.Select(c => Enumerable.Range(0, shotLabels.Length).Where(i => shotLabels[i] == c).ToArray()).ToArray();
        var random = new Random(seed);
        var oneShot = new double[OneShotEpisodes];
        var withDescription = new double[OneShotEpisodes];
        var predicted = new int[labels.Length];
        for (int e = 0; e < OneShotEpisodes; e++)
        {
            var support = new float[unseen.Count * length];
            for (int c = 0; c < unseen.Count; c++)
            {
                int pick = byClass[c][random.Next(byClass[c].Length)];
                shotEmbeddings.AsSpan(pick * length, length).CopyTo(support.AsSpan(c * length));
            }

            PrototypeSet shots = PrototypeSet.FromEmbeddings(support, length, unseen);
            oneShot[e] = Accuracy(shots, queryEmbeddings, labels, predicted);
            withDescription[e] = Accuracy(shots.WithExamples(descriptionPrototypes, unseen), queryEmbeddings, labels, predicted);
        }

        return new Result(zeroShot, generalizedUnseen, generalizedSeen, FewShotEvaluation.FromEpisodes(oneShot, new double[OneShotEpisodes]),
            FewShotEvaluation.FromEpisodes(withDescription, new double[OneShotEpisodes]), labels.Length);
    }

    /// <summary>The images of <paramref name="classes"/> as the model takes them (raw pixels when its graph normalizes), with their labels.</summary>
    private static (float[] Images, string[] Labels) Select(FewShotClassifier classifier, Dataset data, IEnumerable<string> classes)
    {
        var wanted = new HashSet<string>(classes, StringComparer.Ordinal);
        int[] rows = Enumerable.Range(0, data.Count).Where(i => wanted.Contains(data.ClassNames[data.Labels[i]])).ToArray();
        var values = new float[rows.Length * data.SampleLength];
        for (int r = 0; r < rows.Length; r++)
        {
            data.Sample(rows[r]).CopyTo(values.AsSpan(r * data.SampleLength));
        }

        float[] input = classifier.ImageInput is { NormalizedInGraph: true } ? data.Scaling.ToRaw(values) : values;
        return (input, rows.Select(i => data.ClassNames[data.Labels[i]]).ToArray());
    }

    private static double Accuracy(string[] predicted, string[] labels) => predicted.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length;

    private static double Accuracy(PrototypeSet prototypes, float[] embeddings, string[] labels, int[] predicted)
    {
        prototypes.Nearest(embeddings, labels.Length, double.PositiveInfinity, predicted, default);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            correct += prototypes.Classes[predicted[i]] == labels[i] ? 1 : 0;
        }

        return correct / (double)labels.Length;
    }
}
