using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Composition;

/// <summary>
/// The learned shortcut of <c>[Residual(typeof(B), Projection = true)]</c> when B changes the shape: a 1×1
/// convolution from (C, H, W) to (F, H′, W′), with the smallest stride s for which ⌊(H − 1)/s⌋ + 1 = H′ and
/// ⌊(W − 1)/s⌋ + 1 = W′ (s = H/H′ when that divides, as in ResNet); a dense layer from (n) to (m).
/// </summary>
internal static class Projection
{
    /// <summary>The name the runtime's ResidualLayer registers the projection under.</summary>
    public const string Name = "projection";

    /// <summary>The projection from <paramref name="input"/> to <paramref name="output"/>, or null with the reason there is none.</summary>
    public static LayerSpec? Create(int position, string declaration, EquatableArray<int> input, EquatableArray<int> output, out string? problem)
    {
        problem = null;
        if (input.Count != output.Count)
        {
            problem = "the block changes the number of dimensions";
            return null;
        }

        if (input.Count == 1)
        {
            return Layer(position, declaration, "Dense", "global::SharpShot.Layers.DenseLayer", input, output,
                new[] { new ParameterSpec("weight", EquatableArray.Of((long)output[0], input[0]), (long)output[0] * input[0]), new ParameterSpec("bias", EquatableArray.Of((long)output[0]), output[0]) },
                $"inFeatures: {CSharpText.Int(input[0])}",
                $"units: {CSharpText.Int(output[0])}",
                "init");
        }

        if (input.Count != 3)
        {
            problem = "projections exist for (channels, height, width) and (features) shapes only";
            return null;
        }

        int channels = input[0], height = input[1], width = input[2];
        int filters = output[0], outHeight = output[1], outWidth = output[2];
        if (outHeight > height || outWidth > width)
        {
            problem = "the block enlarges the height or width, and a strided 1x1 convolution can only keep or shrink them";
            return null;
        }

        int stride = Math.Max(SmallestStride(height, outHeight), SmallestStride(width, outWidth));
        if (Strided(height, stride) != outHeight || Strided(width, stride) != outWidth)
        {
            problem = $"no single stride shrinks {CSharpText.Int(height)}x{CSharpText.Int(width)} to {CSharpText.Int(outHeight)}x{CSharpText.Int(outWidth)}";
            return null;
        }

        return Layer(position, declaration, "Conv2d", "global::SharpShot.Layers.Conv2dLayer", input, output,
            new[] { new ParameterSpec("weight", EquatableArray.Of((long)filters, channels, 1L, 1L), (long)filters * channels), new ParameterSpec("bias", EquatableArray.Of((long)filters), filters) },
            $"inChannels: {CSharpText.Int(channels)}",
            $"filters: {CSharpText.Int(filters)}",
            "kernel: 1",
            $"stride: {CSharpText.Int(stride)}",
            "padding: new global::SharpShot.Layers.Padding2d(0, 0, 0, 0)",
            "dilation: 1",
            "groups: 1",
            "init");
    }

    /// <summary>The output size of a 1×1 window with <paramref name="stride"/> and no padding.</summary>
    private static long Strided(int size, int stride) => ((size - 1L) / stride) + 1;

    /// <summary>The smallest stride that shrinks <paramref name="size"/> to at most <paramref name="target"/> (≥ 1).</summary>
    private static int SmallestStride(int size, int target) => ((size - 1) / target) + 1;

    private static LayerSpec Layer(int position, string declaration, string kind, string runtimeType, EquatableArray<int> input, EquatableArray<int> output, ParameterSpec[] parameters, params string[] constructorArguments) =>
        new(position, kind, Name, declaration, "shortcut projection", input, output, parameters.ToEquatableArray(), 0, runtimeType, constructorArguments.ToEquatableArray(), LayerStructure.Layer, EquatableArray<LayerSpec>.Empty);
}
