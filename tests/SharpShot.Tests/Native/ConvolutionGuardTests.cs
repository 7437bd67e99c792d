using SharpShot.Layers;
using SharpShot.Native;
using static TorchSharp.torch;

namespace SharpShot.Tests.Native;

/// <summary>
/// oneDNN stays on, so every convolution configuration must be checked before it runs there: whatever this CPU's
/// kernels do, the layers' values and first- and second-order gradients equal float64's.
/// </summary>
[Collection(SharpShot.Tests.Training.DeterministicTrainingCollection.Name)] // the global random stream is shared
public class ConvolutionGuardTests
{
    public static TheoryData<int, int, int, int> Configurations()
    {
        var data = new TheoryData<int, int, int, int>();
        // Channel counts around the ones oneDNN got wrong on an AMD EPYC (fewer than 16 outputs, 48 inputs).
        foreach (int channels in new[] { 1, 3, 16, 48 })
        {
            foreach (int filters in new[] { 4, 16, 64 })
            {
                data.Add(channels, filters, 3, 1);
                data.Add(channels, filters, 1, 2);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Conv2dGradientsOfBothOrdersEqualFloat64(int channels, int filters, int kernel, int stride)
    {
        using var scope = NewDisposeScope();
        using var init = new LayerInit(3);
        var layer = new Conv2dLayer("conv", channels, filters, kernel, stride, Padding2d.Symmetric(kernel / 2), 1, 1, init);
        Tensor input = randn([8, channels, 9, 9], generator: new Generator(7));

        Tensor[] Gradients(ScalarType type)
        {
            Tensor x = input.to(type).requires_grad_(true);
            Tensor[] weights = layer.OwnParameters.Select(p => p.detach().to(type).requires_grad_(true)).ToArray();
            Tensor y = layer.Forward(x, new ParameterCursor(weights), training: true);
            Tensor mix = randn(y.shape, generator: new Generator(11)).to(type);
            IList<Tensor> first = autograd.grad([y.mul(mix).sum()], [x, weights[0]], create_graph: true, retain_graph: true);
            IList<Tensor> second = autograd.grad([first[0].square().sum().add(first[1].square().sum())], [x, weights[0]]);
            return [y, .. first, .. second];
        }

        Tensor[] single = Gradients(ScalarType.Float32);
        Tensor[] reference = Gradients(ScalarType.Float64);
        for (int i = 0; i < single.Length; i++)
        {
            double scale = Math.Max(1, reference[i].abs().max().item<double>());
            double difference = single[i].to(ScalarType.Float64).sub(reference[i]).abs().max().item<double>();
            Assert.True(difference <= 1e-4 * scale, $"value {i} differs from float64 by {difference:E2} (scale {scale:G3})");
        }

    }

    [Fact]
    public void CheckingANewConfigurationLeavesTheGlobalRandomStreamAlone()
    {
        using var scope = NewDisposeScope();
        using var init = new LayerInit(1);
        var layer = new Conv2dLayer("conv", 4, 16, 3, 1, Padding2d.Symmetric(1), 1, 1, init);
        manual_seed(123);
        Tensor expected = rand(4);
        manual_seed(123);
        _ = layer.forward(ones(2, 4, 6, 13)); // a configuration no other test uses: checked now
        Assert.Contains(ConvolutionGuard.Verdicts.Keys, key => key.StartsWith("conv2d x[2,4,6,13] w[16,4,3,3]", StringComparison.Ordinal));
        Assert.Equal(expected.data<float>().ToArray(), rand(4).data<float>().ToArray());

        // The public view for diagnosis lists the same verdicts.
        Assert.Equal(ConvolutionGuard.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal), TorchRuntime.ConvolutionVerdicts);
    }
}
