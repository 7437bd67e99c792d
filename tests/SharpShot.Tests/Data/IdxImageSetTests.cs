using SharpShot.Data;
using Xunit;

namespace SharpShot.Tests.Data;

public sealed class IdxImageSetTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void LoadsAnyImageSizeAsSingleChannelSamples()
    {
        string images = _folder.File("images");
        string labels = _folder.File("labels");
        FakeMnist.WriteImages(images, count: 4, rows: 3, columns: 5);
        FakeMnist.WriteLabels(labels, [2, 0, 1, 2]);

        Dataset set = IdxImageSet.Load(images, labels);

        Assert.Equal([1, 3, 5], set.SampleShape);
        Assert.Equal(4, set.Count);
        Assert.Equal(new[] { 2, 0, 1, 2 }, set.Labels);
        Assert.Equal(["0", "1", "2"], set.ClassNames); // no names given: named by index
        Assert.Same(InputScaling.PixelsToUnitRange, set.Scaling);
        Assert.Equal(FakeMnist.Pixel(3, 2, 4) / 255f, set.Sample(3)[(2 * 5) + 4], 6);
    }

    [Fact]
    public void AppliesAndRecordsTheGivenScaling()
    {
        string images = _folder.File("images");
        string labels = _folder.File("labels");
        FakeMnist.WriteImages(images, count: 2, rows: 2, columns: 2);
        FakeMnist.WriteLabels(labels, [0, 1]);
        var centred = new InputScaling(2.0 / 255, -1, "x / 127.5 - 1");

        Dataset set = IdxImageSet.Load(images, labels, scaling: centred);

        Assert.Same(centred, set.Scaling);
        for (int i = 0; i < set.Features.Length; i++)
        {
            byte pixel = FakeMnist.Pixel(i / 4, i % 4 / 2, i % 2);
            Assert.Equal((float)((pixel * 2.0 / 255) - 1), set.Features[i], 6);
        }
    }

    [Fact]
    public void RejectsImagesOfTheWrongSize()
    {
        string images = _folder.File("images");
        string labels = _folder.File("labels");
        FakeMnist.WriteImages(images, count: 2, rows: 32, columns: 32);
        FakeMnist.WriteLabels(labels, [0, 1]);

        var error = Assert.Throws<IdxFormatException>(() => IdxImageSet.Load(images, labels, imageSize: (28, 28)));

        Assert.Contains(images, error.Message);
        Assert.Contains("expected 28 x 28 images, found 32 x 32", error.Message);
    }

    [Fact]
    public void RejectsImagesThatAreNotThreeDimensionalBytes()
    {
        string images = _folder.File("images");
        string labels = _folder.File("labels");
        IdxWriter.Write(images, new IdxFile([2, 4], new float[8]));
        FakeMnist.WriteLabels(labels, [0, 1]);

        var error = Assert.Throws<IdxFormatException>(() => IdxImageSet.Load(images, labels));

        Assert.Contains(images, error.Message);
        Assert.Contains("expected images as a 3-dimensional ubyte array (count x rows x columns), found 2 x 4 float32", error.Message);
    }

    [Fact]
    public void RejectsLabelsThatAreNotOneDimensionalBytes()
    {
        string images = _folder.File("images");
        string labels = _folder.File("labels");
        FakeMnist.WriteImages(images, count: 2);
        IdxWriter.Write(labels, new IdxFile([2], new int[] { 0, 1 }));

        var error = Assert.Throws<IdxFormatException>(() => IdxImageSet.Load(images, labels));

        Assert.Contains(labels, error.Message);
        Assert.Contains("found 2 int32", error.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        string images = _folder.File("images");
        FakeMnist.WriteImages(images, count: 1);
        string labels = _folder.File("no-labels");

        var error = Assert.Throws<FileNotFoundException>(() => IdxImageSet.Load(images, labels));

        Assert.Equal(labels, error.FileName);
    }
}
