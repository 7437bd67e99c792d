namespace SharpShot.Data;

/// <summary>
/// Loads a labelled image set stored as a pair of IDX files in the MNIST layout: an images file of
/// <c>count x rows x columns</c> unsigned bytes and a labels file of <c>count</c> unsigned bytes.
/// MNIST, Fashion-MNIST, KMNIST and EMNIST all use this layout.
/// </summary>
public static class IdxImageSet
{
    /// <summary>
    /// Reads an images file and its labels file into a <see cref="Dataset"/> of single-channel images with
    /// sample shape (1, rows, columns).
    /// </summary>
    /// <param name="imagesPath">The images file (<c>*-images-idx3-ubyte</c>, raw or gzip-compressed).</param>
    /// <param name="labelsPath">The labels file (<c>*-labels-idx1-ubyte</c>, raw or gzip-compressed).</param>
    /// <param name="classNames">The class names in label order; every label must be below their count. When null, classes are named by index.</param>
    /// <param name="scaling">How pixels become features; defaults to <see cref="InputScaling.PixelsToUnitRange"/> (x / 255). It is applied here and recorded in the dataset.</param>
    /// <param name="imageSize">The (rows, columns) every image must have, or null to accept any size.</param>
    /// <returns>The images as features and the labels as class indices.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="IdxFormatException">A file is not valid IDX, has the wrong type or shape, the counts differ, or a label is out of range; the message names the file.</exception>
    public static Dataset Load(
        string imagesPath,
        string labelsPath,
        IReadOnlyList<string>? classNames = null,
        InputScaling? scaling = null,
        (int Rows, int Columns)? imageSize = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        scaling ??= InputScaling.PixelsToUnitRange;

        // Labels first: the file is tiny, so a wrong labels file fails before the large images file is read.
        IdxFile labels = IdxReader.Read(labelsPath);
        string labelsFile = labels.SourcePath!;
        if (labels.DataType != IdxDataType.UnsignedByte || labels.Dimensions.Count != 1)
        {
            throw new IdxFormatException(labelsFile, $"expected labels as a 1-dimensional ubyte array (count), found {labels}.", null);
        }

        int[] labelValues = labels.ToInt32s();
        if (classNames is not null)
        {
            for (int i = 0; i < labelValues.Length; i++)
            {
                if (labelValues[i] >= classNames.Count)
                {
                    throw new IdxFormatException(
                        labelsFile,
                        $"label {labelValues[i]} at index {i} is not a class index; expected values below {classNames.Count} ({classNames.Count} classes).",
                        null);
                }
            }
        }

        IdxFile images = IdxReader.Read(imagesPath);
        string imagesFile = images.SourcePath!;
        if (images.DataType != IdxDataType.UnsignedByte || images.Dimensions.Count != 3)
        {
            throw new IdxFormatException(imagesFile, $"expected images as a 3-dimensional ubyte array (count x rows x columns), found {images}.", null);
        }

        int count = images.Dimensions[0];
        int rows = images.Dimensions[1];
        int columns = images.Dimensions[2];
        if (imageSize is { } size && (size.Rows != rows || size.Columns != columns))
        {
            throw new IdxFormatException(imagesFile, $"expected {size.Rows} x {size.Columns} images, found {rows} x {columns} ({images}).", null);
        }

        if (labelValues.Length != count)
        {
            throw new IdxFormatException(
                labelsFile,
                $"holds {labelValues.Length} labels but the images file '{imagesFile}' holds {count} images; the two files must describe the same samples.",
                null);
        }

        float[] features = images.ToSingles(scaling.Scale, scaling.Offset);
        return new Dataset(features, labelValues, [1, rows, columns], classNames, scaling);
    }
}
