namespace SharpShot.FewShot;

/// <summary>
/// Pixels that parallel image decoders may hold at once: a decoder takes an image's pixels before it decodes it and
/// gives them back after, waiting while taking them would go beyond the capacity. An image larger than the whole
/// capacity is let through alone (the limits normally refuse it first), so a decoder never waits forever.
/// </summary>
internal sealed class PixelBudget
{
    private readonly object _lock = new();
    private long _inUse;

    /// <summary>Creates a budget of <paramref name="capacity"/> pixels.</summary>
    public PixelBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most pixels held at once.</summary>
    public long Capacity { get; }

    /// <summary>The most pixels that were held at once so far.</summary>
    public long Peak { get; private set; }

    /// <summary>Takes <paramref name="pixels"/>, waiting until they fit (or nothing else is held).</summary>
    public void Acquire(long pixels)
    {
        lock (_lock)
        {
            while (_inUse > 0 && _inUse + pixels > Capacity)
            {
                Monitor.Wait(_lock);
            }

            _inUse += pixels;
            Peak = Math.Max(Peak, _inUse);
        }
    }

    /// <summary>Gives back <paramref name="pixels"/> taken by <see cref="Acquire"/>.</summary>
    public void Release(long pixels)
    {
        lock (_lock)
        {
            _inUse -= pixels;
            Monitor.PulseAll(_lock);
        }
    }
}
