using SharpShot.Imaging;
using SharpShot.Onnx;

namespace SharpShot.Inference;

/// <summary>
/// The image API: an image file, encoded bytes, a stream or decoded pixels in, the model's answer out. The image is
/// decoded (PNG, JPEG, BMP), converted to grey or colour as the model's <see cref="ImageInput"/> contract says,
/// resized by area averaging (each output pixel the mean of the source area it covers) and scaled exactly as the
/// training data was.
/// </summary>
public sealed partial class OnnxModel
{
    /// <summary>The float API's input for the image file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The model does not describe an image input (<see cref="ImageInput"/> is null).</exception>
    /// <exception cref="ImageDecodeException">The file is not a decodable PNG, JPEG or BMP image; <see cref="ImageLimitException"/> when it exceeds <see cref="OnnxModelOptions.ImageLimits"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public float[] ImageToInput(string path) => ImageInputs.FromFile(RequireImageInput(), path, _limits.ImageLimits);

    /// <summary>The float API's inputs for several image files, one after another.</summary>
    internal float[] ImagesToInputs(IReadOnlyList<string> paths) => ImageInputs.FromFiles(RequireImageInput(), paths, _limits.ImageLimits);

    /// <summary>The float API's input for an encoded image (the bytes of a PNG, JPEG or BMP file).</summary>
    /// <exception cref="InvalidOperationException">The model does not describe an image input.</exception>
    /// <exception cref="ImageDecodeException">Not a decodable image, or beyond the limits.</exception>
    public float[] ImageToInput(ReadOnlySpan<byte> encodedImage) => ImageInputs.FromEncoded(RequireImageInput(), encodedImage, _limits.ImageLimits);

    /// <summary>The float API's input for an encoded image read from <paramref name="stream"/> (at most <see cref="ImageLimits.MaxFileBytes"/> bytes are read).</summary>
    /// <exception cref="InvalidOperationException">The model does not describe an image input.</exception>
    /// <exception cref="ImageDecodeException">Not a decodable image, or beyond the limits.</exception>
    public float[] ImageToInput(Stream stream) => ImageInputs.FromStream(RequireImageInput(), stream, _limits.ImageLimits);

    /// <summary>The float API's input for decoded pixels (e.g. a frame an app already holds).</summary>
    /// <exception cref="InvalidOperationException">The model does not describe an image input.</exception>
    public float[] ImageToInput(PixelBuffer pixels) => ImageInputs.FromPixels(RequireImageInput(), pixels);

    /// <summary>Writes the float API's input for decoded pixels into <paramref name="destination"/> (<see cref="InputLength"/> values).</summary>
    /// <exception cref="InvalidOperationException">The model does not describe an image input.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="destination"/> holds fewer than <see cref="InputLength"/> values.</exception>
    public void ImageToInput(PixelBuffer pixels, Span<float> destination) => ImageInputs.Convert(RequireImageInput(), pixels, destination);

    /// <summary>Runs the model on the image file at <paramref name="path"/>; see <see cref="ImageToInput(string)"/> for the errors.</summary>
    /// <returns><see cref="OutputLength"/> values: probabilities or logits, see <see cref="OutputsProbabilities"/>.</returns>
    public float[] PredictImage(string path) => Predict(ImageToInput(path));

    /// <summary>Runs the model on an encoded image (PNG, JPEG or BMP bytes).</summary>
    public float[] PredictImage(ReadOnlySpan<byte> encodedImage) => Predict(ImageToInput(encodedImage));

    /// <summary>Runs the model on an encoded image read from <paramref name="stream"/>.</summary>
    public float[] PredictImage(Stream stream) => Predict(ImageToInput(stream));

    /// <summary>Runs the model on decoded pixels.</summary>
    public float[] PredictImage(PixelBuffer pixels) => Predict(ImageToInput(pixels));

    /// <summary>The index of the highest output for the image file at <paramref name="path"/> (its name: <see cref="ClassLabels"/>).</summary>
    public int ClassifyImage(string path) => Classify(ImageToInput(path));

    /// <summary>The index of the highest output for an encoded image.</summary>
    public int ClassifyImage(ReadOnlySpan<byte> encodedImage) => Classify(ImageToInput(encodedImage));

    /// <summary>The index of the highest output for an encoded image read from <paramref name="stream"/>.</summary>
    public int ClassifyImage(Stream stream) => Classify(ImageToInput(stream));

    /// <summary>The index of the highest output for decoded pixels.</summary>
    public int ClassifyImage(PixelBuffer pixels) => Classify(ImageToInput(pixels));

    private ImageInputContract RequireImageInput()
    {
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
        return ImageInputs.Require(ImageInput, "model");
    }
}
