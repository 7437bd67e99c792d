using SharpShot.Layers;
using static TorchSharp.torch;

namespace SharpShot.Tests.Layers;

/// <summary>
/// Layer constructors: arguments a layer cannot work with fail at construction (the generator reports them at compile
/// time; these guard hand-built layers), and the short constructors mean what they say.
/// </summary>
public class LayerConstructionTests
{
    private static readonly Dictionary<string, Func<LayerInit, Layer>> Invalid = new()
    {
        ["conv1d negative padding"] = init => new Conv1dLayer("conv1d", 2, 2, 3, 1, new Padding1d(-1, 1), 1, 1, init),
        ["conv2d groups not dividing the channels"] = init => new Conv2dLayer("conv2d", 4, 6, 3, 1, Padding2d.Symmetric(1), 1, 3, init),
        ["conv2d zero stride"] = init => new Conv2dLayer("conv2d", 2, 2, 3, 0, Padding2d.Symmetric(1), 1, 1, init),
        ["conv transpose output padding not below the stride"] = init => new ConvTranspose2dLayer("deconv", 2, 2, 3, 2, 1, 2, init),
        ["max pool padding above half the kernel"] = _ => new MaxPool2dLayer("pool", 3, 1, 2),
        ["average pool padding above half the kernel"] = _ => new AvgPool2dLayer("pool", 2, 1, 2),
        ["batch norm momentum above 1"] = _ => new BatchNormLayer("bn", 3, 1.5, 1e-5),
        ["batch norm zero epsilon"] = _ => new BatchNormLayer("bn", 3, 0.1, 0),
        ["layer norm no features"] = _ => new LayerNormLayer("ln", 0, 1e-5),
        ["reshape unresolved dimension"] = _ => new ReshapeLayer("reshape", 3, -1),
        ["reshape no dimensions"] = _ => new ReshapeLayer("reshape"),
        ["embedding empty vocabulary"] = init => new EmbeddingLayer("embedding", 0, 4, init),
        ["embedding vocabulary beyond float32-exact ids"] = init => new EmbeddingLayer("embedding", EmbeddingLayer.MaxVocabulary + 1, 1, init),
        ["lstm no units"] = init => new LstmLayer("lstm", 3, 0, false, init),
        ["gru no inputs"] = init => new GruLayer("gru", 0, 4, false, init),
    };

    public static TheoryData<string> InvalidArguments() => [.. Invalid.Keys];

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public void InvalidArgumentsAreRejected(string construction)
    {
        using var scope = NewDisposeScope();
        using var init = new LayerInit(1);
        Assert.ThrowsAny<ArgumentException>(() => Invalid[construction](init));
    }

    [Fact]
    public void ShortConv2dConstructorIsSymmetricPaddingWithoutDilationOrGroups()
    {
        using var scope = NewDisposeScope();
        using var init1 = new LayerInit(5);
        using var init2 = new LayerInit(5);
        using var shortForm = new Conv2dLayer("conv", 2, 3, 3, 2, 1, init1);
        using var longForm = new Conv2dLayer("conv", 2, 3, 3, 2, Padding2d.Symmetric(1), 1, 1, init2);
        Tensor input = LayerContract.Uniform(3, [2, 2, 7, 7], -2, 2);
        Assert.Equal(0, shortForm.forward(input).sub(longForm.forward(input)).abs().max().item<float>());
    }

    [Fact]
    public void ThreeArgumentMaxPoolConstructorMeansNoPadding()
    {
        using var scope = NewDisposeScope();
        using var layer = new MaxPool2dLayer("pool", 2, 2);
        Assert.Equal(new long[] { 2, 3, 3, 4 }, layer.forward(zeros(2, 3, 7, 9)).shape);
    }
}
