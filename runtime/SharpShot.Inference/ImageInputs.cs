using SharpShot.Imaging;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// Turns images into a model's input as its <see cref="ImageInputContract"/> says: decoded to grey or colour, resized
/// by area averaging to the input size, and, for a model whose graph does not scale pixels itself, scaled here.
/// </summary>
internal static class ImageInputs
{
    /// <summary>The contract, or an error saying why images cannot go in.</summary>
    public static ImageInputContract Require(ImageInputContract? contract, string what) =>
        contract ?? throw new InvalidOperationException(
            $"The {what} does not describe an image input: its metadata has no '{SharpShotMetadata.InputImage}' entry (SharpShot writes it " +
            "for models trained on 8-bit images), nor an input shape of 1 or 3 channels with an input scale. Pass the values through the float API instead.");

    public static ImageColor ColorOf(ImageInputContract contract) => contract.Channels == 1 ? ImageColor.Gray : ImageColor.Rgb;

    /// <summary>Writes one sample (<c>channels × height × width</c> values) for <paramref name="pixels"/> into <paramref name="destination"/>.</summary>
    public static void Convert(ImageInputContract contract, PixelBuffer pixels, Span<float> destination)
    {
        int plane = contract.Height * contract.Width;
        int length = contract.Channels * plane;
        if (destination.Length < length)
        {
            throw new ShapeMismatchException(nameof(destination),
                $"The destination holds {destination.Length} values; one {contract.Channels} x {contract.Height} x {contract.Width} sample needs {length}.",
                length, destination.Length);
        }

        Span<float> sample = destination[..length];
        ImageResizer.ToPlanar(pixels, contract.Channels, contract.Height, contract.Width, PixelValues.Raw, sample);
        if (contract.NormalizedInGraph)
        {
            return;
        }

        // A model exported before its graph scaled pixels: scale here, as training's data loader did.
        for (int c = 0; c < contract.Channels; c++)
        {
            float scale = (float)contract.Scale[c], offset = (float)contract.Offset[c];
            Span<float> values = sample.Slice(c * plane, plane);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (values[i] * scale) + offset;
            }
        }
    }

    public static float[] FromFile(ImageInputContract contract, string path, ImageLimits limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ToSample(contract, ImageDecoder.DecodeFile(path, ColorOf(contract), limits));
    }

    /// <summary>The samples of several image files, one after another.</summary>
    public static float[] FromFiles(ImageInputContract contract, IReadOnlyList<string> paths, ImageLimits limits)
    {
        int length = contract.Channels * contract.Height * contract.Width;
        var samples = new float[checked(paths.Count * length)];
        for (int i = 0; i < paths.Count; i++)
        {
            FromFile(contract, paths[i], limits).CopyTo(samples.AsSpan(i * length));
        }

        return samples;
    }

    public static float[] FromEncoded(ImageInputContract contract, ReadOnlySpan<byte> encoded, ImageLimits limits) =>
        ToSample(contract, ImageDecoder.Decode(encoded, ColorOf(contract), limits));

    public static float[] FromStream(ImageInputContract contract, Stream stream, ImageLimits limits)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ToSample(contract, ImageDecoder.Decode(stream, ColorOf(contract), limits));
    }

    public static float[] FromPixels(ImageInputContract contract, PixelBuffer pixels)
    {
        var sample = new float[contract.Channels * contract.Height * contract.Width];
        Convert(contract, pixels, sample);
        return sample;
    }

    private static float[] ToSample(ImageInputContract contract, DecodedImage image) => FromPixels(contract, image.AsPixelBuffer());
}
