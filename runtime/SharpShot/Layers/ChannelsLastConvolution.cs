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
/// Why it exists: <see cref="TorchRuntime"/> switches oneDNN off (wrong convolution gradients on some AVX-512
/// CPUs), so LibTorch convolves with <c>slow_conv2d</c>: per image, an im2col then a matrix product, in the
/// layout of its inputs. On feature maps of at most 16×16 positions with 16 or more input channels (conv-4's
/// 64→64 layers at 14×14, 7×7 and 3×3) its NHWC variant is faster, forward and backward: one 2-core run measured
/// 0.8–0.9× the time at 14×14, 0.7–0.8× at 7×7 and 0.3× at 3×3; on larger maps or few channels it is not
/// (28×28: 1.0–1.06×; 3 input channels: 1.4×), so those stay on the plain call. benchmarks/README.md has the numbers.
/// Pure matrix-product formulations built from TorchSharp ops (nine shifted-window products, im2col by
/// concatenated windows or by unfold, Winograd F(2×2, 3×3)) measured slower than this on every conv-4 layer:
/// their autograd backward materializes zero-filled window gradients and 9× im2col copies.
/// </para>
/// <para>
/// Semantics are unchanged (same kernel arithmetic, strides, padding, differentiable to any order); only the
/// memory layout differs: the output is channels-last (shape (N, F, H, W), NHWC strides), which the layers after
/// it (batch norm, activations, pooling, flatten) accept as is, so a stack of convolutions stays in NHWC.
/// </para>
/// </remarks>
internal static class ChannelsLastConvolution
{
    /// <summary>The fewest input channels for which the route is taken (fewer: the NHWC copy costs more than it saves).</summary>
    public const long MinInputChannels = 16;

    /// <summary>The most output positions (height × width) for which the route is taken (above ~256 it gains nothing).</summary>
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

        // A kernel larger than the padded input is left to the plain call, which reports it.
        long height = ((x.shape[2] + (2 * padding[0]) - kernel) / stride) + 1;
        long width = ((x.shape[3] + (2 * padding[1]) - kernel) / stride) + 1;
        return height >= 1 && width >= 1 && height * width <= MaxOutputPositions;
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
