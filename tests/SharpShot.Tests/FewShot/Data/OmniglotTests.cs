using SharpShot.FewShot;
using static SharpShot.Tests.FewShot.Data.OmniglotFiles;

namespace SharpShot.Tests.FewShot.Data;

public sealed class OmniglotTests
{
    private static readonly Character[] Small1 =
    [
        new("Balinese", "character01", 3),
        new("Greek", "character01", 2),
        new("Greek", "character02", 2),
        new("Latin", "character01", 2),
    ];

    // Shares Greek and Latin with Small1, byte for byte, like the real images_background_small1/2.
    private static readonly Character[] Small2 =
    [
        new("Greek", "character01", 2),
        new("Greek", "character02", 2),
        new("Korean", "character01", 2),
        new("Latin", "character01", 2),
    ];

    /// <summary>What Load must produce for a drawing: inverted (strokes 1) and area-resized, computed independently.</summary>
    private static float[] Expected(string alphabet, string character, int index, int size)
    {
        byte[] pixels = Pixels(alphabet, character, index);
        var result = new float[size * size];
        double scale = (double)Side / size;
        for (int oy = 0; oy < size; oy++)
        {
            for (int ox = 0; ox < size; ox++)
            {
                // Integrate the inverted image over the output pixel's square by fine supersampling of the coverage.
                double sum = 0;
                for (int y = 0; y < Side; y++)
                {
                    double overlapY = Math.Max(0, Math.Min(y + 1, (oy + 1) * scale) - Math.Max(y, oy * scale));
                    for (int x = 0; x < Side && overlapY > 0; x++)
                    {
                        double overlapX = Math.Max(0, Math.Min(x + 1, (ox + 1) * scale) - Math.Max(x, ox * scale));
                        sum += overlapX * overlapY * (pixels[(y * Side) + x] == 0 ? 1 : 0);
                    }
                }

                result[(oy * size) + ox] = (float)(sum / (scale * scale));
            }
        }

        return result;
    }

    [Fact]
    public void Loads_a_zip_as_classes_named_alphabet_slash_character_grouped_by_alphabet()
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("images_background_small1.zip"), "images_background_small1", Small1);

        FewShotDataset data = Omniglot.Load(zip);

        Assert.Equal([1, 28, 28], data.SampleShape);
        Assert.Equal(["Balinese/character01", "Greek/character01", "Greek/character02", "Latin/character01"], data.Classes.Select(c => c.Name));
        Assert.Equal(["Balinese", "Greek", "Greek", "Latin"], data.Classes.Select(c => c.Group));
        Assert.Equal(["Balinese", "Greek", "Latin"], data.Groups);
        Assert.Equal([3, 2, 2, 2], data.Classes.Select(c => c.Count));
    }

    [Theory]
    [InlineData(28)]
    [InlineData(7)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(45)]
    public void Inverts_and_area_resizes_every_drawing(int size)
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("images_background.zip"), "images_background", Small1);

        FewShotDataset data = Omniglot.Load([zip], size);

        Assert.Equal([1, size, size], data.SampleShape);
        foreach (FewShotClass c in data.Classes)
        {
            string[] parts = c.Name.Split('/');
            for (int i = 0; i < c.Count; i++)
            {
                float[] expected = Expected(parts[0], parts[1], i, size);
                float[] actual = c.Sample(i).ToArray();
                Assert.All(actual, v => Assert.InRange(v, 0f, 1f));
                for (int p = 0; p < expected.Length; p++)
                {
                    Assert.True(Math.Abs(expected[p] - actual[p]) < 1e-5, $"{c.Name} drawing {i} pixel {p}: expected {expected[p]}, got {actual[p]}");
                }
            }
        }
    }

    [Fact]
    public void Resizing_keeps_the_ink_and_gives_exact_block_means()
    {
        // A 20 x 20 drawing black in its top-left 10 x 10 quadrant: at size 2 exactly [1, 0, 0, 0]; at size 3 the
        // centre pixel covers [6.67, 13.33)^2, a quarter of it black.
        using var temp = new TempFolder();
        var pixels = new byte[Side * Side];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i / Side < 10 && i % Side < 10) ? 0 : 255);
        }

        WriteZip(temp.File("q.zip"), [("set/A/character01/0001_01.png", TestImages.Png(Side, Side, pixels, bitDepth: 1))]);

        Assert.Equal([1f, 0f, 0f, 0f], Omniglot.Load([temp.File("q.zip")], 2).Classes[0].Samples);
        float[] three = Omniglot.Load([temp.File("q.zip")], 3).Classes[0].Samples;
        Assert.Equal(1f, three[0], 6);
        Assert.Equal(0.25f, three[4], 6);
        Assert.Equal(0f, three[8], 6);
        Assert.Equal(0.25, Omniglot.Load([temp.File("q.zip")], 28).Classes[0].Samples.Average(v => (double)v), 5);
    }

    [Fact]
    public void Decodes_8_bit_grey_PNGs_too()
    {
        using var temp = new TempFolder();
        var pixels = Enumerable.Range(0, 16).Select(i => (byte)(i * 17)).ToArray(); // 0, 17, ..., 255
        WriteZip(temp.File("g.zip"), [("s/A/c/1.png", TestImages.Png(4, 4, pixels))]);

        float[] sample = Omniglot.Load([temp.File("g.zip")], 4).Classes[0].Samples;

        Assert.Equal(pixels.Select(p => 1f - (p / 255f)), sample, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void De_duplicates_characters_found_in_several_sources_keeping_the_first_copy()
    {
        using var temp = new TempFolder();
        string a = WriteZip(temp.File("images_background_small1.zip"), "images_background_small1", Small1);
        string b = WriteZip(temp.File("images_background_small2.zip"), "images_background_small2", Small2);

        FewShotDataset data = Omniglot.Load(a, b);

        Assert.Equal(
            ["Balinese/character01", "Greek/character01", "Greek/character02", "Latin/character01", "Korean/character01"],
            data.Classes.Select(c => c.Name));
        Assert.Equal(["Balinese", "Greek", "Latin", "Korean"], data.Groups);
        Assert.Equal(11, data.Classes.Sum(c => c.Count));

        // The order of the sources decides the order of the classes, not their content.
        FewShotDataset reversed = Omniglot.Load(b, a);
        Assert.Equal(
            ["Greek/character01", "Greek/character02", "Korean/character01", "Latin/character01", "Balinese/character01"],
            reversed.Classes.Select(c => c.Name));
        foreach (FewShotClass c in data.Classes)
        {
            Assert.Equal(c.Samples, reversed.Classes.Single(r => r.Name == c.Name).Samples);
        }
    }

    [Fact]
    public void A_character_repeated_with_other_drawings_is_an_error()
    {
        using var temp = new TempFolder();
        string a = WriteZip(temp.File("a.zip"), "images_background", new Character("Greek", "character01", 2));
        string b = WriteZip(temp.File("b.zip"), "images_evaluation", new Character("Greek", "character01", 3));

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(a, b));

        Assert.Contains("Greek/character01", error.Message);
        Assert.Contains(a, error.Message);
        Assert.Equal(b, error.FilePath);
    }

    [Fact]
    public void Unpacked_folders_load_the_same_as_the_zip()
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("zips/images_background_small1.zip"), "images_background_small1", Small1);
        string set = WriteFolder(temp.File("unpacked"), "images_background_small1", Small1);

        FewShotDataset fromZip = Omniglot.Load(zip);
        FewShotDataset fromSet = Omniglot.Load(set);                       // the set folder itself
        FewShotDataset fromParent = Omniglot.Load(temp.File("unpacked")); // a folder of sets
        FewShotDataset fromZipFolder = Omniglot.Load(temp.File("zips"));  // a folder of zips

        foreach (FewShotDataset other in new[] { fromSet, fromParent, fromZipFolder })
        {
            Assert.Equal(fromZip.Classes.Select(c => c.Name), other.Classes.Select(c => c.Name));
            Assert.Equal(fromZip.Classes.Select(c => c.Group), other.Classes.Select(c => c.Group));
            Assert.All(fromZip.Classes.Zip(other.Classes), p => Assert.Equal(p.First.Samples, p.Second.Samples));
        }
    }

    [Fact]
    public void A_folder_holding_both_sets_reads_both_and_de_duplicates()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("omniglot/IMAGES_BACKGROUND_SMALL1.ZIP"), "images_background_small1", Small1);
        WriteFolder(temp.File("omniglot"), "images_background_small2", Small2);
        File.WriteAllText(temp.File("omniglot/README.txt"), "not a drawing");
        WriteZip(temp.File("omniglot/strokes_background.zip"), [("x.txt", [1, 2, 3])]); // not an images_* zip: ignored

        FewShotDataset data = Omniglot.Load(temp.File("omniglot"));

        Assert.Equal(5, data.Classes.Count);
        Assert.Equal(["Balinese", "Greek", "Latin", "Korean"], data.Groups);
    }

    [Fact]
    public void A_zip_beside_its_unpacked_folder_is_skipped()
    {
        // The zip is corrupt: loading it would fail, so success shows the unpacked copy was read instead.
        using var temp = new TempFolder();
        WriteFolder(temp.File("data"), "images_background", Small1);
        File.WriteAllBytes(temp.File("data/images_background.zip"), [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]);

        FewShotDataset data = Omniglot.Load(temp.File("data"));

        Assert.Equal(4, data.Classes.Count);
    }

    [Fact]
    public void Archive_metadata_and_other_files_are_ignored()
    {
        using var temp = new TempFolder();
        byte[] png = TestImages.Png(Side, Side, Pixels("A", "character01", 0), bitDepth: 1);
        string zip = WriteZip(temp.File("m.zip"),
        [
            ("set/A/character01/0001_01.png", png),
            ("set/A/character01/Thumbs.db", [1, 2, 3]),
            ("__MACOSX/set/A/character01/._0001_01.png", [0, 5, 22, 7]),
            ("set/A/character01/.hidden.png", [9, 9, 9]),
            ("set/readme.txt", [1]),
        ]);

        FewShotDataset data = Omniglot.Load(zip);

        Assert.Equal("A/character01", Assert.Single(data.Classes).Name);
        Assert.Equal(1, data.Classes[0].Count);
    }

    [Fact]
    public void Drawings_are_sorted_by_file_name_whatever_the_zip_order()
    {
        using var temp = new TempFolder();
        var files = Files("set", [new Character("A", "character01", 4)]).Reverse().ToArray();
        string zip = WriteZip(temp.File("r.zip"), files);

        FewShotClass c = Omniglot.Load([zip], 10).Classes[0];

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Expected("A", "character01", i, 10), c.Sample(i).ToArray(), (x, y) => Math.Abs(x - y) < 1e-5);
        }
    }

    [Fact]
    public void Loading_is_deterministic()
    {
        using var temp = new TempFolder();
        var many = Enumerable.Range(1, 12).Select(i => new Character($"Alpha{i % 3}", $"character{i:D2}", 5)).ToArray();
        string zip = WriteZip(temp.File("d.zip"), "set", many);

        FewShotDataset first = Omniglot.Load(zip);
        FewShotDataset second = Omniglot.Load(zip);

        Assert.Equal(first.Classes.Select(c => c.Name), second.Classes.Select(c => c.Name));
        Assert.All(first.Classes.Zip(second.Classes), p => Assert.Equal(p.First.Samples, p.Second.Samples));
    }

    [Fact]
    public void Rotations_add_three_rotated_classes_per_class_in_the_same_group()
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("z.zip"), "set", new Character("Greek", "character05", 2), new Character("Latin", "character01", 1));
        FewShotDataset data = Omniglot.Load([zip], 6);

        FewShotDataset rotated = Omniglot.WithRotations(data);

        Assert.Equal(
            ["Greek/character05", "Greek/character05@90", "Greek/character05@180", "Greek/character05@270",
             "Latin/character01", "Latin/character01@90", "Latin/character01@180", "Latin/character01@270"],
            rotated.Classes.Select(c => c.Name));
        Assert.Equal(["Greek", "Greek", "Greek", "Greek", "Latin", "Latin", "Latin", "Latin"], rotated.Classes.Select(c => c.Group));
        Assert.Equal([2, 2, 2, 2, 1, 1, 1, 1], rotated.Classes.Select(c => c.Count));
        Assert.Same(data.Classes[0].Samples, rotated.Classes[0].Samples);
        Assert.Equal(data.Classes.Count * 4, rotated.Classes.Count);
    }

    [Fact]
    public void Rotations_turn_counter_clockwise_like_numpy_rot90()
    {
        // [[1, 2, 3], [4, 5, 6], [7, 8, 9]] rotated by 90 degrees counter-clockwise is [[3, 6, 9], [2, 5, 8], [1, 4, 7]].
        float[] plane = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        float[] two = [.. plane, .. plane.Select(v => v * 10)];
        var data = new FewShotDataset([1, 3, 3], [new FewShotClass("x", "g", two, 9)]);

        FewShotDataset rotated = Omniglot.WithRotations(data);

        Assert.Equal([3, 6, 9, 2, 5, 8, 1, 4, 7, 30, 60, 90, 20, 50, 80, 10, 40, 70], rotated.Classes[1].Samples);
        Assert.Equal([9, 8, 7, 6, 5, 4, 3, 2, 1, 90, 80, 70, 60, 50, 40, 30, 20, 10], rotated.Classes[2].Samples);
        Assert.Equal([7, 4, 1, 8, 5, 2, 9, 6, 3, 70, 40, 10, 80, 50, 20, 90, 60, 30], rotated.Classes[3].Samples);
    }

    [Fact]
    public void Rotations_rotate_each_channel_plane()
    {
        float[] sample = [1, 2, 3, 4, 10, 20, 30, 40]; // two 2 x 2 planes
        var data = new FewShotDataset([2, 2, 2], [new FewShotClass("x", "", sample, 8)]);

        Assert.Equal([2, 4, 1, 3, 20, 40, 10, 30], Omniglot.WithRotations(data).Classes[1].Samples);
    }

    [Fact]
    public void Rotations_need_square_unrotated_samples()
    {
        var wide = new FewShotDataset([1, 2, 3], [new FewShotClass("x", "", new float[6], 6)]);
        var square = new FewShotDataset([1, 2, 2], [new FewShotClass("x", "", new float[4], 4)]);

        Assert.Contains("square", Assert.Throws<ArgumentException>(() => Omniglot.WithRotations(wide)).Message);
        Assert.Contains("x@90", Assert.Throws<ArgumentException>(() => Omniglot.WithRotations(Omniglot.WithRotations(square))).Message);
    }

    [Fact]
    public void Group_splits_keep_alphabets_together_with_their_rotations()
    {
        using var temp = new TempFolder();
        string a = WriteZip(temp.File("a.zip"), "s1", Small1);
        string b = WriteZip(temp.File("b.zip"), "s2", Small2);

        var (train, test) = Omniglot.WithRotations(Omniglot.Load(a, b)).SplitByGroups(["Greek"]);

        Assert.Equal(8, test.Classes.Count);
        Assert.All(test.Classes, c => Assert.StartsWith("Greek/", c.Name));
        Assert.DoesNotContain(train.Classes, c => c.Group == "Greek");
    }
}
