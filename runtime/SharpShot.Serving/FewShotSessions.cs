using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>A few-shot session: class prototypes made from labelled example images with one version of an embedding model.</summary>
public sealed class FewShotSession
{
    private readonly WeakReference<OnnxModel> _builtOn;
    private long _lastUsedTicks;

    internal FewShotSession(string id, string modelName, OnnxModel builtOn, PrototypeSet prototypes, DateTimeOffset now)
    {
        Id = id;
        ModelName = modelName;
        _builtOn = new WeakReference<OnnxModel>(builtOn);
        Prototypes = prototypes;
        Created = now;
        _lastUsedTicks = now.UtcTicks;
    }

    /// <summary>The session's id: 128 random bits in hex, so one client cannot guess another's.</summary>
    public string Id { get; }

    /// <summary>The embedding model's name.</summary>
    public string ModelName { get; }

    /// <summary>The classes, their example counts and prototypes.</summary>
    public PrototypeSet Prototypes { get; }

    /// <summary>When the session was made.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>When the session was last used (made, read or asked to classify).</summary>
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>Whether the prototypes were made with this version of the model (a hot reload makes them stale).</summary>
    public bool IsBuiltOn(OnnxModel model) => _builtOn.TryGetTarget(out OnnxModel? builtOn) && ReferenceEquals(builtOn, model);

    internal void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);
}

/// <summary>A session cannot be made because <see cref="FewShotSessionOptions.MaxSessions"/> are alive.</summary>
public sealed class SessionLimitException(string message) : Exception(message);

/// <summary>
/// The live few-shot sessions, bounded in count (<see cref="FewShotSessionOptions.MaxSessions"/>) and idle lifetime
/// (<see cref="FewShotSessionOptions.IdleTimeoutSeconds"/>): an expired session is removed when next looked up and swept
/// out whenever a session is made, so at most the maximum count is ever held.
/// </summary>
public sealed class FewShotSessions(IOptions<SharpShotServingOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, FewShotSession> _sessions = new(StringComparer.Ordinal);
    private readonly object _creating = new();

    /// <summary>The bounds in force.</summary>
    public FewShotSessionOptions Options { get; } = options.Value.Sessions;

    /// <summary>Sessions alive now (expired ones not yet swept included).</summary>
    public int Count => _sessions.Count;

    private TimeSpan IdleTimeout => TimeSpan.FromSeconds(Options.IdleTimeoutSeconds);

    /// <summary>Keeps a new session.</summary>
    /// <exception cref="SessionLimitException">The maximum number of sessions is alive.</exception>
    public FewShotSession Create(string modelName, OnnxModel builtOn, PrototypeSet prototypes)
    {
        DateTimeOffset now = time.GetUtcNow();
        lock (_creating)
        {
            Sweep(now);
            if (_sessions.Count >= Options.MaxSessions)
            {
                throw new SessionLimitException(
                    $"{_sessions.Count} few-shot sessions are alive, the most this server keeps; delete one, or wait for one to expire ({Options.IdleTimeoutSeconds} s unused).");
            }

            var session = new FewShotSession(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), modelName, builtOn, prototypes, now);
            _sessions[session.Id] = session;
            return session;
        }
    }

    /// <summary>The live session of that id and model, its clock restarted; false when there is none or it expired.</summary>
    public bool TryUse(string modelName, string id, out FewShotSession session)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_sessions.TryGetValue(id, out session!) && session.ModelName == modelName)
        {
            if (now - session.LastUsed <= IdleTimeout)
            {
                session.Touch(now);
                return true;
            }

            _sessions.TryRemove(new KeyValuePair<string, FewShotSession>(id, session));
        }

        session = null!;
        return false;
    }

    /// <summary>Ends the session; false when there was none of that id and model.</summary>
    public bool Remove(string modelName, string id) =>
        _sessions.TryGetValue(id, out FewShotSession? session) && session.ModelName == modelName
        && _sessions.TryRemove(new KeyValuePair<string, FewShotSession>(id, session));

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, session) in _sessions)
        {
            if (now - session.LastUsed > IdleTimeout)
            {
                _sessions.TryRemove(new KeyValuePair<string, FewShotSession>(id, session));
            }
        }
    }
}
