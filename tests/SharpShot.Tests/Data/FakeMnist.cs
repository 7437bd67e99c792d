using SharpShot.Data;

namespace SharpShot.Tests.Data;

/// <summary>Writes tiny MNIST-layout IDX files with known contents.</summary>
internal static class FakeMnist
{
    /// <summary>Pixel <c>(i * 29 + r * 7 + c * 3) mod 256</c> for image i, row r, column c: distinct, known values.</summary>
    public static byte Pixel(int image, int row, int column) => (byte)(((image * 29) + (row * 7) + (column * 3)) % 256);

    public static byte[] Pixels(int count, int rows, int columns)
    {
        var pixels = new byte[count * rows * columns];
        for (int i = 0; i < count; i++)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    pixels[(((i * rows) + r) * columns) + c] = Pixel(i, r, c);
                }
            }
        }

        return pixels;
    }

    public static void WriteImages(string path, int count, int rows = 28, int columns = 28, bool gzip = false) =>
        IdxWriter.Write(path, new IdxFile([count, rows, columns], Pixels(count, rows, columns)), gzip);

    public static void WriteLabels(string path, byte[] labels, bool gzip = false) =>
        IdxWriter.Write(path, new IdxFile([labels.Length], labels), gzip);

    /// <summary>A complete Fashion-MNIST folder: <paramref name="trainCount"/> and <paramref name="testCount"/> images, labels cycling 0..9.</summary>
    public static void WriteFashionFolder(string directory, int trainCount = 5, int testCount = 3, bool gzip = true)
    {
        Directory.CreateDirectory(directory);
        string suffix = gzip ? ".gz" : string.Empty;
        WriteImages(Path.Combine(directory, FashionMnist.TrainImagesFile + suffix), trainCount, gzip: gzip);
        WriteLabels(Path.Combine(directory, FashionMnist.TrainLabelsFile + suffix), CyclingLabels(trainCount), gzip);
        WriteImages(Path.Combine(directory, FashionMnist.TestImagesFile + suffix), testCount, gzip: gzip);
        WriteLabels(Path.Combine(directory, FashionMnist.TestLabelsFile + suffix), CyclingLabels(testCount), gzip);
    }

    /// <summary>Labels 9, 0, 1, 2, ...: every label differs from its index, so a mix-up of the two shows.</summary>
    public static byte[] CyclingLabels(int count) => Enumerable.Range(0, count).Select(i => (byte)((i + 9) % 10)).ToArray();
}
