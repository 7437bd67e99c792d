using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// One loaded version of a served model, with its batcher, counted while requests use it: a replaced version is
/// retired and disposed only when its last request has finished, so a hot reload fails no request.
/// </summary>
internal sealed class ServedModel
{
    private int _leases;
    private int _retired;
    private int _disposed;

    public ServedModel(string name, OnnxModel model, BatchingOptions? batching, (DateTime, long) stamp)
    {
        Model = model;
        Batcher = batching is not null && DynamicBatcher.CanBatch(model) ? new DynamicBatcher(name, model, batching) : null;
        Stamp = stamp;
    }

    public OnnxModel Model { get; }

    public DynamicBatcher? Batcher { get; }

    /// <summary>The file's last write time and length when this version was loaded.</summary>
    public (DateTime WriteTime, long Length) Stamp { get; }

    /// <summary>Counts a request in; false when the version is retired (the caller takes the current one).</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _leases);
        if (Volatile.Read(ref _retired) == 0)
        {
            return true;
        }

        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) != 0)
        {
            DisposeOnce();
        }
    }

    /// <summary>No new requests; disposed as soon as none is running.</summary>
    public void Retire()
    {
        Volatile.Write(ref _retired, 1);
        if (Volatile.Read(ref _leases) == 0)
        {
            DisposeOnce();
        }
    }

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The batcher's loop ends first (its queue is empty: every queued request holds a lease), then the session.
        _ = Task.Run(async () =>
        {
            if (Batcher is not null)
            {
                await Batcher.DisposeAsync();
            }

            Model.Dispose();
        });
    }
}
