using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.ZeroShot;

/// <summary>A small embedding of 8-value samples into 6 values.</summary>
[Model(8)]
[Dense(16), Relu, Dense(6)]
public partial class DescribedEmbedding;

/// <summary>The attribute map for <see cref="DescribedEmbedding"/>: 4 attributes to the 6-value embedding space.</summary>
[Model(4)]
[Dense(6)]
public partial class FourAttributeMap;

/// <summary>A map whose input does not fit four attributes.</summary>
[Model(5)]
[Dense(6)]
public partial class FiveAttributeMap;

/// <summary>A map that does not land in the 6-value embedding space.</summary>
[Model(4)]
[Dense(7)]
public partial class WideAttributeMap;

/// <summary>
/// Classes made of attributes, so that a class never seen has a description the others explain: each of four binary
/// attributes adds its own fixed random direction to a sample (plus noise). Training classes cover every attribute;
/// the unseen classes are new combinations of them.
/// </summary>
internal static class DescribedClasses
{
    public static readonly string[] AttributeNames = ["a", "b", "c", "d"];

    public static readonly Dictionary<string, float[]> Vectors = new()
    {
        ["a"] = [1, 0, 0, 0],
        ["b"] = [0, 1, 0, 0],
        ["c"] = [0, 0, 1, 0],
        ["d"] = [0, 0, 0, 1],
        ["ab"] = [1, 1, 0, 0],
        ["cd"] = [0, 0, 1, 1],
        ["ac"] = [1, 0, 1, 0],
        ["bd"] = [0, 1, 0, 1],
        // Unseen: combinations no training class has.
        ["bc"] = [0, 1, 1, 0],
        ["ad"] = [1, 0, 0, 1],
    };

    public static readonly string[] Seen = ["a", "b", "c", "d", "ab", "cd", "ac", "bd"];

    public static readonly string[] Unseen = ["bc", "ad"];

    public static ClassAttributes Attributes => new(AttributeNames, Vectors);

    public static FewShotDataset Data(IEnumerable<string> classes, int samplesPerClass, int seed)
    {
        var directions = new Random(1234);
        float[][] attributeDirections = Enumerable.Range(0, 4)
            .Select(_ => Enumerable.Range(0, 8).Select(_ => (float)((directions.NextDouble() * 4) - 2)).ToArray()).ToArray();
        var noise = new Random(seed);
        var list = new List<FewShotClass>();
        foreach (string name in classes)
        {
            var values = new float[samplesPerClass * 8];
            for (int s = 0; s < samplesPerClass; s++)
            {
                for (int i = 0; i < 8; i++)
                {
                    float value = (float)(noise.NextDouble() - 0.5) * 0.6f;
                    for (int a = 0; a < 4; a++)
                    {
                        value += Vectors[name][a] * attributeDirections[a][i];
                    }

                    values[(s * 8) + i] = value;
                }
            }

            list.Add(new FewShotClass(name, "", values, 8));
        }

        return new FewShotDataset([8], list);
    }
}
