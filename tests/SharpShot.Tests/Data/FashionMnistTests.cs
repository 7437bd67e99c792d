using SharpShot.Data;
using Xunit;

namespace SharpShot.Tests.Data;

/// <summary>Loading a Fashion-MNIST folder. (The search order, which reads SHARPSHOT_DATA, is in <see cref="FashionMnistLocateTests"/>.)</summary>
public sealed class FashionMnistTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ClassNamesAreTheTenFashionMnistClassesInLabelOrder()
    {
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            FashionMnist.ClassNames);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadsTrainAndTestWithScaledPixelsLabelsAndNames(bool gzip)
    {
        FakeMnist.WriteFashionFolder(_folder.Path, trainCount: 5, testCount: 3, gzip: gzip);

        var (train, test) = FashionMnist.Load(_folder.Path);

        Assert.Equal(5, train.Count);
        Assert.Equal(3, test.Count);
        foreach (Dataset set in new[] { train, test })
        {
            Assert.Equal([1, 28, 28], set.SampleShape);
            Assert.Equal(FashionMnist.ClassNames, set.ClassNames);
            Assert.Same(InputScaling.PixelsToUnitRange, set.Scaling);
            Assert.Equal(FakeMnist.CyclingLabels(set.Count).Select(l => (int)l), set.Labels);
            for (int i = 0; i < set.Count; i++)
            {
                ReadOnlySpan<float> sample = set.Sample(i);
                Assert.Equal(FakeMnist.Pixel(i, 0, 0) / 255f, sample[0], 6);
                Assert.Equal(FakeMnist.Pixel(i, 27, 27) / 255f, sample[783], 6);
                Assert.Equal(FakeMnist.Pixel(i, 13, 5) / 255f, sample[(13 * 28) + 5], 6);
            }

            Assert.All(set.Features, v => Assert.InRange(v, 0f, 1f));
        }

        Assert.Equal("Ankle boot", train.ClassNames[train.Labels[0]]);
    }

    [Fact]
    public void MismatchedLabelCountNamesBothFiles()
    {
        FakeMnist.WriteFashionFolder(_folder.Path, trainCount: 5, gzip: true);
        string labels = Path.Combine(_folder.Path, FashionMnist.TrainLabelsFile + ".gz");
        FakeMnist.WriteLabels(labels, FakeMnist.CyclingLabels(4), gzip: true);

        var error = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_folder.Path));

        Assert.Equal(labels, error.FilePath);
        Assert.Contains("holds 4 labels", error.Message);
        Assert.Contains(Path.Combine(_folder.Path, FashionMnist.TrainImagesFile + ".gz") + "' holds 5 images", error.Message);
    }

    [Fact]
    public void LabelOutsideTheTenClassesNamesTheFile()
    {
        FakeMnist.WriteFashionFolder(_folder.Path, testCount: 3, gzip: false);
        string labels = Path.Combine(_folder.Path, FashionMnist.TestLabelsFile);
        FakeMnist.WriteLabels(labels, [1, 10, 2]);

        var error = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_folder.Path));

        Assert.Contains(labels, error.Message);
        Assert.Contains("label 10 at index 1", error.Message);
        Assert.Contains("below 10", error.Message);
    }

    [Fact]
    public void ImagesThatAreNot28By28NameTheFile()
    {
        FakeMnist.WriteFashionFolder(_folder.Path, gzip: false);
        string images = Path.Combine(_folder.Path, FashionMnist.TrainImagesFile);
        FakeMnist.WriteImages(images, count: 5, rows: 32, columns: 32);

        var error = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_folder.Path));

        Assert.Contains(images, error.Message);
        Assert.Contains("expected 28 x 28 images, found 32 x 32", error.Message);
    }

    [Fact]
    public void RawFileIsPreferredOverCompressedCopy()
    {
        FakeMnist.WriteFashionFolder(_folder.Path, trainCount: 5, gzip: true);
        FakeMnist.WriteLabels(Path.Combine(_folder.Path, FashionMnist.TrainLabelsFile), [0, 0, 0, 0, 0]);

        var (train, _) = FashionMnist.Load(_folder.Path);

        Assert.All(train.Labels, label => Assert.Equal(0, label));
    }

    [Fact]
    public void LoadOfFolderMissingFilesListsThem()
    {
        FakeMnist.WriteFashionFolder(_folder.Path, gzip: true);
        File.Delete(Path.Combine(_folder.Path, FashionMnist.TestImagesFile + ".gz"));

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_folder.Path));

        Assert.Contains(_folder.Path, error.Message);
        Assert.Contains("lacks t10k-images-idx3-ubyte (or t10k-images-idx3-ubyte.gz)", error.Message);
        Assert.Equal(Path.Combine(_folder.Path, FashionMnist.TestImagesFile), error.FileName);
    }

    [Fact]
    public void DataPathsFindsRawOrCompressedFile()
    {
        string raw = _folder.WriteBytes("a", [1]);
        string compressed = _folder.WriteBytes("b.gz", [1]);

        Assert.Equal(raw, DataPaths.FindFile(_folder.Path, "a"));
        Assert.Equal(compressed, DataPaths.FindFile(_folder.Path, "b"));
        Assert.Null(DataPaths.FindFile(_folder.Path, "c"));
    }
}
