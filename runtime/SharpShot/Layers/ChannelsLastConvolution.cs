using SharpShot.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// The faster route for the dense 2-D convolutions of few-shot backbones while oneDNN is off: LibTorch's own
/// im2col + matrix-product kernel run in its channels-last (NHWC) layout instead of the NCHW one.
/// </summary>
/// <remarks>
/// <para>
/// Why it exists: with oneDNN off (<c>SHARPSHOT_ONEDNN=0</c>, see <see cref="TorchRuntime"/>; its kernels give wrong
/// convolution gradients on some AVX-512 CPUs) LibTorch convolves with <c>slow_conv2d</c>: per image, an im2col
/// then a matrix product, in the memory layout of its operands. On maps of at most 16×16 output positions with 16 or more input channels its
/// NHWC variant is faster, forward and backward (2 cores, conv-4's 64→64 layers, batch 80–120: 0.87–0.91× the
/// time at 14×14, 0.72–0.74× at 7×7, 0.32–0.37× at 3×3; a whole conv-4 training step 0.8×). Elsewhere it is not:
/// 1.0–1.06× on 24×24 and 28×28 maps, 0.8–1.4× with 8 or fewer input channels, no gain for 1×1 kernels. Numbers and
/// the command that measures them: benchmarks/README.md. Matrix-product formulations built from TorchSharp ops
/// (nine shifted-window products, im2col by concatenated windows or by unfold, Winograd F(2×2, 3×3)) were
/// slower than this on every conv-4 layer: their autograd backward writes zero-filled window gradients and
/// 9× im2col copies, where LibTorch's backward accumulates in place.
/// </para>
/// <para>
/// Semantics are unchanged (the same arithmetic, strides and padding; differentiable to any order); only the
/// memory layout differs: the output is channels-last (shape (N, F, H, W), NHWC strides), which the layers after
/// it (batch norm, activations, pooling, flatten) take as is, so a stack of convolutions stays in NHWC.
/// </para>
/// </remarks>
internal static class ChannelsLastConvolution
{
    /// <summary>The fewest input channels for which the route is taken (with 8 or fewer it was as often slower as faster).</summary>
    public const long MinInputChannels = 16;

    /// <summary>The most output positions (height × width) for which the route is taken (16×16; 20×20 gained 2%, 24×24 nothing).</summary>
    public const long MaxOutputPositions = 256;

    /// <summary>The smallest kernel side for which the route is taken (1×1 was measured no faster on most maps).</summary>
    public const int MinKernel = 3;

    /// <summary>
    /// Switches the route off for this process when false (benchmarks compare the two); <see cref="Conv2d"/>
    /// itself is not affected. Read on every forward, so set it before running a model, not during.
    /// </summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>
    /// True when a convolution with these settings should take the channels-last route.
    /// </summary>
    /// <param name="x">The input, (N, C, H, W), on the CPU (the only device whose convolutions oneDNN's switch affects).</param>
    /// <param name="kernel">Side of the square kernel.</param>
    /// <param name="stride">Stride, the same in both directions.</param>
    /// <param name="padding">Zeros the convolution adds on each side: (rows, columns).</param>
    /// <param name="dilation">Dilation, the same in both directions.</param>
    /// <param name="groups">Channel groups.</param>
    public static bool Applies(Tensor x, int kernel, long stride, ReadOnlySpan<long> padding, long dilation, int groups)
    {
        if (!Enabled || !TorchRuntime.OneDnnDisabled || x.device_type != DeviceType.CPU || x.dim() != 4
            || groups != 1 || dilation != 1 || kernel < MinKernel || x.shape[1] < MinInputChannels)
        {
            return false;
        }

        long paddedHeight = x.shape[2] + (2 * padding[0]);
        long paddedWidth = x.shape[3] + (2 * padding[1]);
        if (paddedHeight < kernel || paddedWidth < kernel)
        {
            return false; // the plain call reports it
        }

        return (((paddedHeight - kernel) / stride) + 1) * (((paddedWidth - kernel) / stride) + 1) <= MaxOutputPositions;
    }

    /// <summary>
    /// <c>nn.functional.conv2d</c> with one group and no dilation, run in LibTorch's NHWC layout; the result is
    /// channels-last. Both operands are handed over channels-last (no copy when <paramref name="x"/> already is),
    /// which is what makes <c>slow_conv2d</c> pick its NHWC kernel.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long[] strides, long[] padding) =>
        nn.functional.conv2d(ToChannelsLast(x), ToChannelsLast(weight), bias, strides: strides, padding: padding);

    /// <summary>The same values and shape (N, C, H, W) with NHWC strides; differentiable (a permuted copy, or none).</summary>
    public static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
