using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>The tensors of one task on the model's device: what every algorithm trains, adapts and evaluates on.</summary>
/// <param name="SupportX">Support samples, (support count, input shape).</param>
/// <param name="SupportY">Support class indices (int64) or regression targets (float).</param>
/// <param name="QueryX">Query samples, (query count, input shape).</param>
/// <param name="QueryY">Query class indices or targets.</param>
/// <param name="Ways">Classes in a classification episode; 0 for regression.</param>
/// <param name="ClassNames">The data set's class behind each episode label (zero-shot learning looks up their descriptions); empty for regression.</param>
internal sealed record TaskTensors(Tensor SupportX, Tensor SupportY, Tensor QueryX, Tensor QueryY, int Ways, IReadOnlyList<string> ClassNames) : IDisposable
{
    /// <summary>A classification episode's tensors: class indices as int64.</summary>
    public static TaskTensors Of(Episode episode, Device device)
    {
        long[] Shape(int count) => [count, .. episode.SampleShape.Select(d => (long)d)];
        return new TaskTensors(
            tensor(episode.Support.ToArray(), Shape(episode.SupportCount), device: device),
            tensor(episode.SupportLabels.Select(l => (long)l).ToArray(), device: device),
            tensor(episode.Query.ToArray(), Shape(episode.QueryCount), device: device),
            tensor(episode.QueryLabels.Select(l => (long)l).ToArray(), device: device),
            episode.Ways,
            episode.ClassNames);
    }

    /// <summary>A regression episode's tensors, shaped by the family's input and output shapes.</summary>
    public static TaskTensors Of(RegressionEpisode episode, IRegressionTaskFamily family, Device device)
    {
        static long[] Shape(int count, IReadOnlyList<int> sample) => [count, .. sample.Select(d => (long)d)];
        return new TaskTensors(
            tensor(episode.SupportX, Shape(episode.SupportCount, family.InputShape), device: device),
            tensor(episode.SupportY, Shape(episode.SupportCount, family.OutputShape), device: device),
            tensor(episode.QueryX, Shape(episode.QueryCount, family.InputShape), device: device),
            tensor(episode.QueryY, Shape(episode.QueryCount, family.OutputShape), device: device),
            0,
            []);
    }

    /// <summary>Releases the four tensors.</summary>
    public void Dispose()
    {
        SupportX.Dispose();
        SupportY.Dispose();
        QueryX.Dispose();
        QueryY.Dispose();
    }
}
