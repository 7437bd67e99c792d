namespace SharpShot.Inference.Tests;

/// <summary>Plain C# versions of the operators in <see cref="TestModels"/>, to compute expected outputs by hand.</summary>
internal static class Reference
{
    /// <summary>y[o] = b[o] + sum_i x[i] * w[o, i] (Gemm with transB = 1).</summary>
    public static float[] Dense(ReadOnlySpan<float> x, float[] w, float[] b)
    {
        var outputs = b.Length;
        var inputs = x.Length;
        var y = new float[outputs];
        for (var o = 0; o < outputs; o++)
        {
            double sum = b[o];
            for (var i = 0; i < inputs; i++)
            {
                sum += x[i] * w[o * inputs + i];
            }
            y[o] = (float)sum;
        }
        return y;
    }

    public static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(v => Math.Exp(v - max)).ToArray();
        var total = exp.Sum();
        return exp.Select(e => (float)(e / total)).ToArray();
    }

    /// <summary>Conv2d over one [channelsIn, size, size] sample with zero padding and stride 1, then Relu; output [channelsOut, out, out] flattened.</summary>
    public static float[] ConvRelu(ReadOnlySpan<float> x, int channelsIn, int size, float[] w, float[] b, int kernel, int pad)
    {
        var channelsOut = b.Length;
        var outSize = size + 2 * pad - kernel + 1;
        var y = new float[channelsOut * outSize * outSize];
        for (var co = 0; co < channelsOut; co++)
        {
            for (var oy = 0; oy < outSize; oy++)
            {
                for (var ox = 0; ox < outSize; ox++)
                {
                    double sum = b[co];
                    for (var ci = 0; ci < channelsIn; ci++)
                    {
                        for (var ky = 0; ky < kernel; ky++)
                        {
                            for (var kx = 0; kx < kernel; kx++)
                            {
                                var iy = oy + ky - pad;
                                var ix = ox + kx - pad;
                                if (iy < 0 || ix < 0 || iy >= size || ix >= size)
                                {
                                    continue;
                                }
                                sum += x[(ci * size + iy) * size + ix] * w[((co * channelsIn + ci) * kernel + ky) * kernel + kx];
                            }
                        }
                    }
                    y[(co * outSize + oy) * outSize + ox] = (float)Math.Max(0, sum);
                }
            }
        }
        return y;
    }

    /// <summary>Deterministic pseudo-random values in [-1, 1).</summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= tolerance, $"Value {i}: expected {expected[i]}, got {actual[i]} (|diff| = {difference} > {tolerance}).");
        }
    }
}
