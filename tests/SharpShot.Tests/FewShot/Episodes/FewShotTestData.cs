using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Episodes;

/// <summary>Small class-structured datasets made in the test, independent of any reader or generator.</summary>
internal static class FewShotTestData
{
    /// <summary>
    /// Classes whose samples say who they are: every value of sample <c>s</c> of class <c>c</c> is <c>1000·c + s</c>.
    /// Class <c>c</c> is named <c>g{c % groups}/c{c}</c> and has <paramref name="samplesPerClass"/> samples, or what
    /// <paramref name="sizeOf"/> says.
    /// </summary>
    public static FewShotDataset Tagged(int classes, int samplesPerClass, int[] shape, int groups = 3, Func<int, int>? sizeOf = null)
    {
        int length = shape.Aggregate(1, (a, b) => a * b);
        var list = new List<FewShotClass>();
        for (int c = 0; c < classes; c++)
        {
            int count = sizeOf?.Invoke(c) ?? samplesPerClass;
            var values = new float[count * length];
            for (int s = 0; s < count; s++)
            {
                values.AsSpan(s * length, length).Fill(Tag(c, s));
            }

            list.Add(new FewShotClass($"g{c % groups}/c{c}", $"g{c % groups}", values, length));
        }

        return new FewShotDataset(shape, list);
    }

    /// <summary>The value every pixel of sample <paramref name="sample"/> of class <paramref name="classIndex"/> holds in <see cref="Tagged"/>.</summary>
    public static float Tag(int classIndex, int sample) => (1000 * classIndex) + sample;

    /// <summary>(class, sample) of a tagged sample's first value.</summary>
    public static (int Class, int Sample) Untag(float value) => ((int)value / 1000, (int)value % 1000);

    /// <summary>
    /// Gaussian blobs as 1×8×8 images: each class is a random pattern; every sample adds a large random mix of
    /// a few "nuisance" patterns shared by all classes, plus a little noise. Raw distances are dominated by
    /// the nuisance, so telling new classes apart takes an embedding that learned to ignore it.
    /// </summary>
    public static FewShotDataset Blobs(int classes, int samplesPerClass, int seed, int firstClass = 0, float nuisance = 2f)
    {
        const int Length = 64;
        // Nuisance patterns shared by all classes: overall brightness and left-to-right and top-to-bottom gradients.
        float[][] nuisancePatterns =
        [
            Enumerable.Repeat(1f, Length).ToArray(),
            Enumerable.Range(0, Length).Select(i => ((i % 8) - 3.5f) / 3.5f).ToArray(),
            Enumerable.Range(0, Length).Select(i => ((i / 8) - 3.5f) / 3.5f).ToArray(),
        ];
        var random = new Random(seed);
        var list = new List<FewShotClass>();
        for (int c = 0; c < classes; c++)
        {
            float[] pattern = Enumerable.Range(0, Length).Select(_ => Gaussian(random)).ToArray();
            var values = new float[samplesPerClass * Length];
            for (int s = 0; s < samplesPerClass; s++)
            {
                float[] mix = nuisancePatterns.Select(_ => nuisance * Gaussian(random)).ToArray();
                for (int i = 0; i < Length; i++)
                {
                    float v = pattern[i] + (0.3f * Gaussian(random));
                    for (int k = 0; k < mix.Length; k++)
                    {
                        v += mix[k] * nuisancePatterns[k][i];
                    }

                    values[(s * Length) + i] = v;
                }
            }

            int id = firstClass + c;
            list.Add(new FewShotClass($"blob{id}", $"group{id % 4}", values, Length));
        }

        return new FewShotDataset([1, 8, 8], list);
    }

    /// <summary>A standard normal value (Box–Muller).</summary>
    public static float Gaussian(Random random)
    {
        double u = 1.0 - random.NextDouble();
        double v = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
    }
}
