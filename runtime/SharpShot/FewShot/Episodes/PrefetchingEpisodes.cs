using System.Collections;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace SharpShot.FewShot;

/// <summary>
/// Episodes of an <see cref="EpisodeSampler"/> drawn ahead on a background task into a bounded queue, so a
/// training loop never waits for data: the next episodes are ready while the current one trains. Reading
/// returns exactly <c>sampler.Sample(start)</c>, <c>sampler.Sample(start + 1)</c>, … in order. An exception
/// thrown while sampling reaches the reader, at the episode where it happened. Disposing stops the
/// background task. One reader at a time.
/// </summary>
public sealed class PrefetchingEpisodes : IEnumerable<Episode>, IDisposable
{
    private readonly Channel<Episode> channel;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task producer;
    private readonly long end;
    private volatile ExceptionDispatchInfo? failure;
    private bool disposed;

    /// <summary>Starts drawing episodes <paramref name="start"/>, <paramref name="start"/> + 1, … in the background.</summary>
    /// <param name="sampler">Where the episodes come from.</param>
    /// <param name="start">Index of the first episode.</param>
    /// <param name="depth">How many episodes to hold ready at most.</param>
    /// <param name="count">How many episodes to produce; endless when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The start or count is negative, or the depth is not positive.</exception>
    public PrefetchingEpisodes(EpisodeSampler sampler, long start, int depth = 4, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        if (count is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The number of episodes cannot be negative.");
        }

        Sampler = sampler;
        NextIndex = start;
        end = count is null ? long.MaxValue : checked(start + count.Value);
        channel = Channel.CreateBounded<Episode>(new BoundedChannelOptions(depth)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        CancellationToken token = stopping.Token;
        producer = Task.Run(() => ProduceAsync(start, token), CancellationToken.None);
    }

    /// <summary>The sampler the episodes come from.</summary>
    public EpisodeSampler Sampler { get; }

    /// <summary>Index of the episode <see cref="Next"/> returns next.</summary>
    public long NextIndex { get; private set; }

    /// <summary>The next episode, waiting for it if the background task has not drawn it yet.</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="InvalidOperationException">All <c>count</c> episodes have been read.</exception>
    /// <exception cref="ObjectDisposedException">The prefetcher was disposed.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <remarks>Whatever sampling threw (e.g. a transform's exception) is rethrown here, with its original stack trace.</remarks>
    public Episode Next(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ChannelReader<Episode> reader = channel.Reader;
        while (true)
        {
            if (reader.TryRead(out Episode? episode))
            {
                NextIndex++;
                return episode;
            }

            bool more;
            try
            {
                more = reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception) when (failure is not null && !cancellationToken.IsCancellationRequested)
            {
                failure.Throw();
                throw;
            }

            if (!more)
            {
                failure?.Throw();
                ObjectDisposedException.ThrowIf(disposed, this);
                throw new InvalidOperationException($"All episodes up to index {end - 1} have been read.");
            }
        }
    }

    /// <summary>The remaining episodes in order (endless when no count was given).</summary>
    public IEnumerator<Episode> GetEnumerator()
    {
        while (NextIndex < end)
        {
            yield return Next();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stops the background task and waits for it to finish; episodes not yet read are dropped.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stopping.Cancel();
        producer.GetAwaiter().GetResult(); // never faults: ProduceAsync hands every failure to the reader
        stopping.Dispose();
    }

    private async Task ProduceAsync(long start, CancellationToken token)
    {
        ChannelWriter<Episode> writer = channel.Writer;
        try
        {
            for (long index = start; index < end; index++)
            {
                token.ThrowIfCancellationRequested();
                Episode episode = Sampler.Sample(index);
                await writer.WriteAsync(episode, token).ConfigureAwait(false);
            }

            writer.TryComplete();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            writer.TryComplete();
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            writer.TryComplete(e);
        }
    }
}
