using SharpShot.FewShot;

namespace SharpShot.Tests.FewShot.Data;

public sealed class ImageFolderTests
{
    private static byte[] Grey(byte value, int side = 4) => TestImages.Png(side, side, Enumerable.Repeat(value, side * side).ToArray());

    [Fact]
    public void A_flat_layout_has_one_class_per_folder_in_the_empty_group()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("cats/b.png", Grey(51));
        temp.WriteBytes("cats/a.png", Grey(255));
        temp.WriteBytes("dogs/x.bmp", TestImages.Bmp(2, 2, Enumerable.Repeat((byte)102, 12).ToArray()));
        temp.WriteBytes("dogs/notes.txt", [1, 2, 3]);

        FewShotDataset data = ImageFolder.Load(temp.Path, size: 3);

        Assert.Equal([1, 3, 3], data.SampleShape);
        Assert.Equal(["cats", "dogs"], data.Classes.Select(c => c.Name));
        Assert.Equal(["", ""], data.Classes.Select(c => c.Group));
        Assert.Equal([2, 1], data.Classes.Select(c => c.Count));
        Assert.All(data.Classes[0].Sample(0).ToArray(), v => Assert.Equal(1f, v));        // a.png first
        Assert.All(data.Classes[0].Sample(1).ToArray(), v => Assert.Equal(0.2f, v, 6));
        Assert.All(data.Classes[1].Sample(0).ToArray(), v => Assert.Equal(0.4f, v, 6));
    }

    [Fact]
    public void A_nested_layout_groups_classes_by_their_parent_folder()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("Greek/character01/1.png", Grey(0));
        temp.WriteBytes("Greek/character02/1.png", Grey(0));
        temp.WriteBytes("Latin/character01/1.png", Grey(0));

        FewShotDataset data = ImageFolder.Load(temp.Path, invert: true);

        Assert.Equal(["Greek/character01", "Greek/character02", "Latin/character01"], data.Classes.Select(c => c.Name));
        Assert.Equal(["Greek", "Latin"], data.Groups);
        Assert.All(data.Classes[0].Samples, v => Assert.Equal(1f, v));
        Assert.Equal(["Latin/character01"], data.SplitByGroups(["Latin"]).Test.Classes.Select(c => c.Name));
    }

    [Fact]
    public void Colour_images_become_three_planes()
    {
        using var temp = new TempFolder();
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]; // red, green / blue, white
        temp.WriteBytes("c/1.png", TestImages.Png(2, 2, rgb, channels: 3));
        temp.WriteBytes("c/2.bmp", TestImages.Bmp(2, 2, rgb));

        FewShotDataset data = ImageFolder.Load(temp.Path, size: 2, grayscale: false);

        Assert.Equal([3, 2, 2], data.SampleShape);
        float[] planes = [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1];
        Assert.Equal(planes, data.Classes[0].Sample(0).ToArray());
        Assert.Equal(planes, data.Classes[0].Sample(1).ToArray());
    }

    [Fact]
    public void Grey_conversion_weights_the_channels()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("c/1.png", TestImages.Png(1, 1, [255, 0, 0], channels: 3));

        float red = ImageFolder.Load(temp.Path, size: 1).Classes[0].Samples[0];

        Assert.InRange(red, 0.25f, 0.35f); // about 0.3 (ITU-R 601 luma weight of red)
    }

    [Fact]
    public void JPEG_files_are_decoded()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("c/1.jpg", TestImages.ConstantGreyJpeg());
        temp.WriteBytes("c/2.JPEG", TestImages.ConstantGreyJpeg());

        FewShotDataset data = ImageFolder.Load(temp.Path, size: 4);

        Assert.Equal(2, data.Classes[0].Count);
        Assert.All(data.Classes[0].Samples, v => Assert.Equal(200f / 255f, v, 0.005f));
    }

    [Fact]
    public void Hidden_files_and_folders_are_skipped()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("c/1.png", Grey(0));
        temp.WriteBytes("c/._1.png", [0, 5, 22, 7]);
        temp.WriteBytes(".cache/x.png", [1]);

        Assert.Equal("c", Assert.Single(ImageFolder.Load(temp.Path).Classes).Name);
    }

    [Fact]
    public void Missing_and_empty_roots_are_errors()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("empty/group"));
        temp.WriteBytes("texts/a/readme.txt", [1]);

        Assert.Contains(temp.File("missing"), Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(temp.File("missing"))).Message);
        var empty = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.File("empty")));
        Assert.Equal(temp.File("empty/group"), empty.FilePath);
        Assert.Contains("is empty", empty.Message);
        var texts = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.File("texts")));
        Assert.Contains("readme.txt", texts.Message);
        Directory.CreateDirectory(temp.File("bare"));
        Assert.Contains("no class folders", Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.File("bare"))).Message);
    }

    [Fact]
    public void An_image_directly_in_the_root_is_an_error_naming_it()
    {
        using var temp = new TempFolder();
        string stray = temp.WriteBytes("stray.png", Grey(0));
        temp.WriteBytes("c/1.png", Grey(0));

        var error = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.Path));

        Assert.Equal(stray, error.FilePath);
        Assert.Contains("class folders", error.Message);
    }

    [Fact]
    public void Undecodable_files_are_errors_naming_the_file()
    {
        using var temp = new TempFolder();
        temp.WriteBytes("c/1.png", Grey(0));
        string jpg = temp.WriteBytes("c/2.jpg", "definitely not a jpeg"u8.ToArray());
        temp.WriteBytes("d/1.png", Grey(0));
        string png = temp.WriteBytes("d/2.png", Grey(0)[..30]);

        var first = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.Path));
        File.Delete(jpg);
        var second = Assert.Throws<FewShotDataException>(() => ImageFolder.Load(temp.Path));

        Assert.Equal(jpg, first.FilePath);
        Assert.Contains("not a PNG, JPEG or BMP image", first.Message);
        Assert.Equal(png, second.FilePath);
        Assert.Contains("truncated", second.Message);
    }
}
