using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Data;

public sealed class SyntheticGlyphsTests
{
    [Fact]
    public void Shape_names_groups_and_counts()
    {
        FewShotDataset data = SyntheticGlyphs.Generate(10, samplesPerClass: 5, size: 20, seed: 1, groups: 3);

        Assert.Equal([1, 20, 20], data.SampleShape);
        Assert.Equal(10, data.Classes.Count);
        Assert.All(data.Classes, c => Assert.Equal(5, c.Count));
        Assert.Equal("group0/glyph00", data.Classes[0].Name);
        Assert.Equal("group2/glyph09", data.Classes[9].Name);
        Assert.Equal(["group0", "group1", "group2"], data.Groups);
        Assert.Equal([4, 3, 3], data.Groups.Select(g => data.Classes.Count(c => c.Group == g)));
        Assert.All(data.Classes, c => Assert.StartsWith(c.Group + "/", c.Name));
        Assert.All(data.Classes.SelectMany(c => c.Samples), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void The_same_seed_gives_identical_data_and_another_seed_other_data()
    {
        FewShotDataset a = SyntheticGlyphs.Generate(6, 4, seed: 7, groups: 2);
        FewShotDataset b = SyntheticGlyphs.Generate(6, 4, seed: 7, groups: 2);
        FewShotDataset c = SyntheticGlyphs.Generate(6, 4, seed: 8, groups: 2);

        Assert.All(a.Classes.Zip(b.Classes), p => Assert.Equal(p.First.Samples, p.Second.Samples));
        Assert.All(a.Classes.Zip(c.Classes), p => Assert.NotEqual(p.First.Samples, p.Second.Samples));
    }

    [Fact]
    public void With_one_group_a_class_does_not_depend_on_how_many_classes_are_made()
    {
        FewShotDataset few = SyntheticGlyphs.Generate(3, 4, seed: 2);
        FewShotDataset many = SyntheticGlyphs.Generate(30, 4, seed: 2);

        Assert.Equal(few.Classes[2].Samples, many.Classes[2].Samples);
    }

    [Fact]
    public void Glyphs_are_strokes_on_an_empty_background()
    {
        FewShotDataset data = SyntheticGlyphs.Generate(20, 10, seed: 3);
        const int Size = 28;

        foreach (FewShotClass c in data.Classes)
        {
            for (int i = 0; i < c.Count; i++)
            {
                float[] image = c.Sample(i).ToArray();
                double ink = image.Count(v => v > 0.5f) / (double)image.Length;
                Assert.InRange(ink, 0.04, 0.45);

                // The glyph stays off the image's edge.
                double edge = Enumerable.Range(0, Size * Size)
                    .Where(p => p / Size is 0 or Size - 1 || p % Size is 0 or Size - 1)
                    .Average(p => image[p]);
                Assert.True(edge < 0.05, $"{c.Name} sample {i}: mean edge value {edge}");
            }
        }
    }

    [Fact]
    public void Samples_of_a_class_vary_but_classes_are_clearly_distinct()
    {
        // Leave-one-out nearest class mean in pixel space over 30 classes x 10 samples (94% at this seed): high if classes are distinct and
        // each class's drawings are variations of one glyph.
        FewShotDataset data = SyntheticGlyphs.Generate(30, 10, seed: 4, groups: 3);
        int length = data.SampleLength;
        var sums = data.Classes.Select(c =>
        {
            var sum = new double[length];
            for (int i = 0; i < c.Count; i++)
            {
                ReadOnlySpan<float> s = c.Sample(i);
                for (int p = 0; p < length; p++)
                {
                    sum[p] += s[p];
                }
            }

            return sum;
        }).ToArray();

        int correct = 0, total = 0;
        double within = 0, between = 0;
        for (int k = 0; k < data.Classes.Count; k++)
        {
            FewShotClass c = data.Classes[k];
            Assert.NotEqual(c.Sample(0).ToArray(), c.Sample(1).ToArray());
            for (int i = 0; i < c.Count; i++)
            {
                ReadOnlySpan<float> s = c.Sample(i);
                int best = -1;
                double bestDistance = double.MaxValue;
                for (int m = 0; m < sums.Length; m++)
                {
                    int n = data.Classes[m].Count - (m == k ? 1 : 0);
                    double distance = 0;
                    for (int p = 0; p < length; p++)
                    {
                        double mean = (sums[m][p] - (m == k ? s[p] : 0)) / n;
                        distance += (s[p] - mean) * (s[p] - mean);
                    }

                    if (m == k)
                    {
                        within += distance;
                    }
                    else
                    {
                        between += distance / (sums.Length - 1);
                    }

                    if (distance < bestDistance)
                    {
                        (best, bestDistance) = (m, distance);
                    }
                }

                correct += best == k ? 1 : 0;
                total++;
            }
        }

        Assert.True(correct >= total * 0.9, $"nearest class mean: {correct} of {total} right");
        Assert.True(between > 1.5 * within, $"mean squared distance to own class mean {within / total:F2}, to other class means {between / total:F2}");
    }

    [Fact]
    public void Arguments_out_of_range_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGlyphs.Generate(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGlyphs.Generate(5, samplesPerClass: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGlyphs.Generate(5, size: SyntheticGlyphs.MinSize - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGlyphs.Generate(5, groups: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticGlyphs.Generate(5, groups: 6));
    }

    [Fact]
    public void Rotations_apply_to_glyphs_too()
    {
        FewShotDataset rotated = Omniglot.WithRotations(SyntheticGlyphs.Generate(2, 3));

        Assert.Equal(8, rotated.Classes.Count);
        Assert.Equal("group0/glyph00@90", rotated.Classes[1].Name);
    }
}
