namespace SharpShot.Inference;

/// <summary>
/// Lets calls into native code run concurrently and lets <see cref="Close"/> wait for the ones in flight, so that
/// native resources are released only when no call uses them: disposing a model while other threads predict ends
/// those predictions with <see cref="ObjectDisposedException"/> instead of a use-after-free in ONNX Runtime.
/// </summary>
internal sealed class CallGate
{
    private int _active;
    private int _closed;

    /// <summary>Whether <see cref="Close"/> has begun; calls that see it end with <see cref="ObjectDisposedException"/>.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Admits a call; pair with <see cref="Exit"/> in a <c>finally</c>.</summary>
    /// <exception cref="ObjectDisposedException">The gate is closed.</exception>
    public void Enter(object owner)
    {
        // Increment first, then look: with Close doing the opposite (mark, then look), at least one side sees the
        // other, so Close never misses a call that got in.
        Interlocked.Increment(ref _active);
        if (IsClosed)
        {
            Interlocked.Decrement(ref _active);
            throw new ObjectDisposedException(owner.GetType().FullName);
        }
    }

    /// <summary>Ends a call admitted by <see cref="Enter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _active);

    /// <summary>Refuses new calls and waits until the admitted ones have exited.</summary>
    /// <returns><see langword="false"/> when the gate was already closed (only the first caller releases resources).</returns>
    public bool Close(Action stopCallsInFlight)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return false;
        }
        if (Volatile.Read(ref _active) > 0)
        {
            stopCallsInFlight();
            SpinWait.SpinUntil(() => Volatile.Read(ref _active) == 0);
        }
        return true;
    }
}
