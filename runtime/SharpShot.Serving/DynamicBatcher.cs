using System.Threading.Channels;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Serving;

/// <summary>Dynamic batching of one model, as Triton does it: concurrent requests with the same per-sample shapes run as one ONNX Runtime call.</summary>
public sealed class BatchingOptions
{
    /// <summary>The most samples (summed over the requests' first axes) in one call.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long the first request of a batch waits for others to join it.</summary>
    public int MaxQueueDelayMicroseconds { get; set; } = 500;

    /// <summary>The most requests waiting or running; one more is refused at once (503 with Retry-After).</summary>
    public int MaxQueueSize { get; set; } = 1024;
}

/// <summary>The queue is full: the request is refused at once (503 with Retry-After) rather than waiting without bound.</summary>
public sealed class QueueFullException(string message) : Exception(message);

/// <summary>
/// Coalesces concurrent requests to one model into one call: a background loop takes the first waiting request,
/// waits up to <see cref="BatchingOptions.MaxQueueDelayMicroseconds"/> for more with the same input types, per-sample
/// shapes and requested outputs until <see cref="BatchingOptions.MaxBatchSize"/> samples, concatenates their inputs
/// along the first axis (row-major data: one copy), runs once, and hands each request its rows of every output.
/// Only models whose every input and output has an open first axis batch (see <see cref="CanBatch"/>).
/// </summary>
internal sealed class DynamicBatcher : IAsyncDisposable
{
    private readonly string _name;
    private readonly OnnxModel _model;
    private readonly BatchingOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private Pending? _carried;

    public DynamicBatcher(string name, OnnxModel model, BatchingOptions options)
    {
        _name = name;
        _model = model;
        _options = options;
        // Bounded by the in-flight count (waiting or running), checked before a request is queued.
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _loop = Task.Run(RunLoop);
    }

    /// <summary>Batches run so far, and the samples in them (for the mean batch size).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Requests waiting or running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Samples run so far.</summary>
    public long Samples => Interlocked.Read(ref _samples);

    private long _batches;
    private long _samples;
    private int _inFlight;

    /// <summary>Whether every input and output of the model has an open first axis, so requests can be stacked along it.</summary>
    public static bool CanBatch(OnnxModel model) =>
        model.Inputs.Concat(model.Outputs).All(v => v.Shape.Count > 0 && v.Shape[0].Value is null);

    /// <summary>Queues a request and waits for its outputs.</summary>
    /// <exception cref="QueueFullException">The queue holds <see cref="BatchingOptions.MaxQueueSize"/> requests.</exception>
    public Task<IReadOnlyDictionary<string, OnnxTensor>> Run(IReadOnlyDictionary<string, OnnxTensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _inFlight) > _options.MaxQueueSize)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new QueueFullException($"{_options.MaxQueueSize} requests are waiting for this model; try again shortly.");
        }

        var pending = new Pending(inputs, outputs, cancellationToken);
        pending.Result.Task.ContinueWith(_ => Interlocked.Decrement(ref _inFlight), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Result.TrySetException(new ObjectDisposedException(nameof(DynamicBatcher), "The model is shutting down."));
        }

        return pending.Result.Task;
    }

    private async Task RunLoop()
    {
        var batch = new List<Pending>();
        while (!_stop.IsCancellationRequested)
        {
            Pending first;
            try
            {
                first = _carried ?? await _queue.Reader.ReadAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                break;
            }

            _carried = null;
            batch.Clear();
            batch.Add(first);
            long samples = first.BatchSize;
            var deadline = DateTime.UtcNow.AddTicks(_options.MaxQueueDelayMicroseconds * 10L);
            while (samples < _options.MaxBatchSize)
            {
                if (!_queue.Reader.TryRead(out Pending? next))
                {
                    TimeSpan wait = deadline - DateTime.UtcNow;
                    if (wait <= TimeSpan.Zero)
                    {
                        break;
                    }

                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(wait);
                    try
                    {
                        if (!await _queue.Reader.WaitToReadAsync(timeout.Token))
                        {
                            break;
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    continue;
                }

                if (!next.SameSignature(first) || samples + next.BatchSize > _options.MaxBatchSize)
                {
                    // It starts the next batch.
                    _carried = next;
                    break;
                }

                batch.Add(next);
                samples += next.BatchSize;
            }

            Execute(batch);
        }

        foreach (Pending left in Drain())
        {
            left.Result.TrySetException(new ObjectDisposedException(nameof(DynamicBatcher), "The model is shutting down."));
        }
    }

    private IEnumerable<Pending> Drain()
    {
        if (_carried is not null)
        {
            yield return _carried;
        }

        while (_queue.Reader.TryRead(out Pending? pending))
        {
            yield return pending;
        }
    }

    private void Execute(List<Pending> batch)
    {
        batch.RemoveAll(p =>
        {
            if (p.CancellationToken.IsCancellationRequested)
            {
                p.Result.TrySetCanceled(p.CancellationToken);
                return true;
            }

            return false;
        });
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            if (batch.Count == 1)
            {
                batch[0].Result.TrySetResult(_model.Run(batch[0].Inputs, batch[0].Outputs));
            }
            else
            {
                var outputs = _model.Run(Concatenate(batch), batch[0].Outputs);
                Split(batch, outputs);
            }

            Interlocked.Increment(ref _batches);
            long samples = batch.Sum(p => p.BatchSize);
            Interlocked.Add(ref _samples, samples);
            ServingMetrics.BatchSize.Record(samples, new KeyValuePair<string, object?>("model", _name));
        }
        catch (Exception e)
        {
            if (batch.Count > 1 && e is not ObjectDisposedException)
            {
                // One request's values made the combined call fail: run each alone, so only that one fails.
                foreach (Pending p in batch)
                {
                    try
                    {
                        p.Result.TrySetResult(_model.Run(p.Inputs, p.Outputs));
                    }
                    catch (Exception single)
                    {
                        p.Result.TrySetException(single);
                    }
                }

                return;
            }

            foreach (Pending p in batch)
            {
                p.Result.TrySetException(e);
            }
        }
    }

    private static Dictionary<string, OnnxTensor> Concatenate(List<Pending> batch)
    {
        var combined = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (string name in batch[0].Inputs.Keys)
        {
            OnnxTensor first = batch[0].Inputs[name];
            long rows = batch.Sum(p => p.Inputs[name].Shape[0]);
            Array data = Array.CreateInstance(first.Data.GetType().GetElementType()!, batch.Sum(p => p.Inputs[name].Data.Length));
            int offset = 0;
            foreach (Pending p in batch)
            {
                Array part = p.Inputs[name].Data;
                Array.Copy(part, 0, data, offset, part.Length);
                offset += part.Length;
            }

            long[] shape = [rows, .. first.Shape.Skip(1)];
            combined[name] = OnnxTensor.Create(data, shape);
        }

        return combined;
    }

    private static void Split(List<Pending> batch, IReadOnlyDictionary<string, OnnxTensor> outputs)
    {
        var parts = batch.Select(_ => new Dictionary<string, OnnxTensor>(StringComparer.Ordinal)).ToArray();
        foreach (var (name, tensor) in outputs)
        {
            long total = tensor.Shape[0];
            int perRow = total == 0 ? 0 : (int)(tensor.Data.Length / total);
            int offset = 0;
            for (int i = 0; i < batch.Count; i++)
            {
                int rows = (int)batch[i].BatchSize;
                Array data = Array.CreateInstance(tensor.Data.GetType().GetElementType()!, rows * perRow);
                Array.Copy(tensor.Data, offset, data, 0, data.Length);
                offset += data.Length;
                parts[i][name] = OnnxTensor.Create(data, [rows, .. tensor.Shape.Skip(1)]);
            }
        }

        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Result.TrySetResult(parts[i]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Pending(IReadOnlyDictionary<string, OnnxTensor> inputs, IReadOnlyList<string>? outputs, CancellationToken cancellationToken)
    {
        public IReadOnlyDictionary<string, OnnxTensor> Inputs { get; } = inputs;

        public IReadOnlyList<string>? Outputs { get; } = outputs;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<IReadOnlyDictionary<string, OnnxTensor>> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The first axis of the first input (every input must agree, which the model's checks enforce).</summary>
        public long BatchSize { get; } = inputs.Values.FirstOrDefault()?.Shape.FirstOrDefault() ?? 1;

        /// <summary>Same input names, types and per-sample shapes, and the same requested outputs: the requests stack.</summary>
        public bool SameSignature(Pending other) =>
            Inputs.Count == other.Inputs.Count
            && Inputs.All(i => other.Inputs.TryGetValue(i.Key, out OnnxTensor? o)
                && o.ElementType == i.Value.ElementType && o.Shape.Count == i.Value.Shape.Count && o.Shape.Count > 0
                && o.Shape.Skip(1).SequenceEqual(i.Value.Shape.Skip(1)))
            && (Outputs ?? []).SequenceEqual(other.Outputs ?? []);
    }
}
