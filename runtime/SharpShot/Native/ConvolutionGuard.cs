using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpShot.Native;

/// <summary>
/// Lets each convolution use LibTorch's oneDNN kernels only where they were checked to be right on this machine.
/// </summary>
/// <remarks>
/// oneDNN is several times faster than LibTorch's own CPU convolutions (a 64→64 3×3 convolution on 120 images of
/// 14×14: ~45 ms forward and backward against ~300 ms), but on some AVX-512 CPUs (an AMD EPYC here) some of its
/// kernels are wrong: the input gradient for fewer than 16 output channels and for some other channel counts
/// (sometimes, from run to run), and conv_transpose2d's output. So only 2-D convolutions of a channel class that
/// was never seen wrong (<see cref="InTestedClass"/>) may use it, and only after a check: the first time a layer meets a configuration
/// (input and weight shapes, strides, padding, dilation, groups), the guard runs it on random data in float32
/// (oneDNN) and in float64 (LibTorch's own kernels, which oneDNN never handles) several times and compares the
/// output and the first-order gradients for each combination of operands that need them, and second-order ones. A configuration that agrees runs on oneDNN from then on; one that does not runs in
/// float64 and is cast back, which is slower but right, also for second-order gradients. The checks draw from
/// their own generator, so they never change the global random stream that seeds dropout.
/// </remarks>
internal static class ConvolutionGuard
{
    /// <summary>Random trials per configuration: wrong kernels were seen to fail on some runs only.</summary>
    private const int Trials = 3;

    /// <summary>Largest batch a check uses (the kernels' choice does not depend on the batch beyond this).</summary>
    private const long MaxCheckBatch = 32;

    /// <summary>Largest error, relative to the float64 values' scale, accepted from float32.</summary>
    private const double Tolerance = 1e-3;

    private static readonly ConcurrentDictionary<string, bool> s_verdicts = new(StringComparer.Ordinal);

    /// <summary>Configurations checked so far and whether each may use oneDNN; for tests and diagnostics.</summary>
    public static IReadOnlyDictionary<string, bool> Verdicts => s_verdicts;

    /// <summary>
    /// Takes a resumed run's verdicts (<see cref="NativeSettings"/>): every configuration that ran in float64 there runs
    /// in float64 here too, as it did; one that ran on oneDNN is checked here when first met, as any other (the same
    /// machine gives the same verdict). A verdict of this process that says float64 is never turned to oneDNN.
    /// </summary>
    public static void Restore(IReadOnlyDictionary<string, bool> verdicts)
    {
        foreach ((string configuration, bool onOneDnn) in verdicts)
        {
            if (!onOneDnn)
            {
                s_verdicts[configuration] = false;
            }
        }
    }

    /// <summary>Drops the verdict on <paramref name="configuration"/>, as a new process would not have it (tests of resuming).</summary>
    internal static void Forget(string configuration) => s_verdicts.TryRemove(configuration, out _);

    /// <summary>
    /// Runs <paramref name="convolve"/> on the operands: as is when oneDNN is off, the input is not float32 on the CPU,
    /// or this configuration passed its check; otherwise in float64 and cast back to float32.
    /// </summary>
    /// <param name="kind">The operation, e.g. <c>conv2d</c>, part of the configuration's key.</param>
    /// <param name="x">The input.</param>
    /// <param name="weight">The weight.</param>
    /// <param name="bias">The bias, if any.</param>
    /// <param name="settings">Everything else that selects the kernel (strides, padding, dilation, groups), as text.</param>
    /// <param name="convolve">The convolution itself, applied to (input, weight, bias).</param>
    public static Tensor Run(string kind, Tensor x, Tensor weight, Tensor? bias, string settings, Func<Tensor, Tensor, Tensor?, Tensor> convolve)
    {
        if (TorchRuntime.OneDnnDisabled || x.device_type != DeviceType.CPU || x.dtype != ScalarType.Float32 || weight.dtype != ScalarType.Float32)
        {
            return convolve(x, weight, bias);
        }

        if (!InTestedClass(kind, x.shape[1], weight.shape[0]))
        {
            return convolve(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias?.to(ScalarType.Float64)).to(ScalarType.Float32);
        }

        long[] checkShape = [.. x.shape];
        checkShape[0] = Math.Min(checkShape[0], MaxCheckBatch);
        string key = $"{kind} x[{string.Join(",", checkShape)}] w[{string.Join(",", weight.shape)}] bias [{(bias is null ? "none" : string.Join(",", bias.shape))}] {settings}";
        if (s_verdicts.GetOrAdd(key, _ => Agrees(checkShape, weight.shape, bias?.shape, convolve)))
        {
            return convolve(x, weight, bias);
        }

        return convolve(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias?.to(ScalarType.Float64)).to(ScalarType.Float32);
    }

    /// <summary>
    /// The channel counts for which oneDNN was never seen wrong here (thousands of trials): a 2-D convolution with a
    /// multiple of 16 output channels and 1–4 input channels or a power of two from 16 up. Fewer outputs were wrong
    /// every time, 48 inputs some of the time, and the transposed convolution's output always; a check cannot catch
    /// errors that come and go, so outside this class the guard does not try oneDNN at all.
    /// </summary>
    private static bool InTestedClass(string kind, long inputChannels, long outputChannels) =>
        kind == "conv2d" && outputChannels % 16 == 0
        && (inputChannels <= 4 || (inputChannels >= 16 && (inputChannels & (inputChannels - 1)) == 0));

    /// <summary>
    /// True when float32 and float64 agree in every trial on the output and on the gradients, whichever operands need
    /// them (the kernels differ: input only, as for a frozen layer; weights only, as for a first layer; all of them,
    /// with second-order gradients, as for MAML).
    /// </summary>
    private static bool Agrees(long[] inputShape, long[] weightShape, long[]? biasShape, Func<Tensor, Tensor, Tensor?, Tensor> convolve)
    {
        using var scope = NewDisposeScope();
        using var gradients = enable_grad();
        var generator = new Generator(0x5EED_C0DE);
        for (int trial = 0; trial < Trials; trial++)
        {
            Tensor[] operands = biasShape is null
                ? [randn(inputShape, generator: generator), randn(weightShape, generator: generator)]
                : [randn(inputShape, generator: generator), randn(weightShape, generator: generator), randn(biasShape, generator: generator)];
            bool[][] masks = [[true, false, false], [false, true, true], [true, true, true]];
            foreach (bool[] mask in masks)
            {
                bool secondOrder = mask.All(m => m);
                Tensor[] single = Evaluate(operands, mask, secondOrder, convolve, generator, out Tensor[] weightings);
                Tensor[] reference = Evaluate(operands.Select(t => t.to(ScalarType.Float64)).ToArray(), mask, secondOrder, convolve, null, out _, weightings);
                for (int i = 0; i < single.Length; i++)
                {
                    double scale = Math.Max(1, reference[i].abs().max().item<double>());
                    if (single[i].to(ScalarType.Float64).sub(reference[i]).abs().max().item<double>() > Tolerance * scale)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The output and the gradients of (output · a random weighting) with respect to the operands <paramref name="mask"/>
    /// selects; with <paramref name="secondOrder"/> also the gradients of (those gradients · another weighting).
    /// </summary>
    private static Tensor[] Evaluate(
        Tensor[] values, bool[] mask, bool secondOrder, Func<Tensor, Tensor, Tensor?, Tensor> convolve, Generator? generator, out Tensor[] weightings, Tensor[]? given = null)
    {
        Tensor[] operands = values.Select((v, i) => v.detach().requires_grad_(mask[i])).ToArray();
        Tensor[] wanted = operands.Where((_, i) => mask[i]).ToArray();
        Tensor y = convolve(operands[0], operands[1], operands.Length > 2 ? operands[2] : null);
        Tensor outputWeights = given?[0].to(y.dtype) ?? randn(y.shape, generator: generator);

        // TorchSharp needs retain_graph with create_graph.
        IList<Tensor> first = autograd.grad([y.mul(outputWeights).sum()], wanted, create_graph: secondOrder, retain_graph: secondOrder);
        if (!secondOrder)
        {
            weightings = [outputWeights];
            return [y.detach(), .. first];
        }

        Tensor[] firstWeights = given?[1..].Select(t => t.to(y.dtype)).ToArray() ?? first.Select(g => randn(g.shape, generator: generator)).ToArray();
        Tensor mixed = first.Select((g, i) => g.mul(firstWeights[i]).sum()).Aggregate((a, c) => a.Plus(c));
        IList<Tensor> second = autograd.grad([mixed], wanted, allow_unused: true);
        weightings = [outputWeights, .. firstWeights];
        return [y.detach(), .. first.Select(g => g.detach()), .. second.Select((g, i) => g is null || g.IsInvalid ? zeros_like(wanted[i]) : g.detach())];
    }
}
