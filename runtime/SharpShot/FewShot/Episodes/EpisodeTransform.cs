namespace SharpShot.FewShot;

/// <summary>
/// A change applied to every episode an <see cref="EpisodeSampler"/> draws, after sampling — data
/// augmentation such as <see cref="RotateClasses"/>. The random generator it gets is derived from the
/// sampler's seed and the episode index, so transformed episodes are as reproducible as plain ones.
/// Implementations are called from background threads (see <see cref="PrefetchingEpisodes"/>) and must
/// not keep mutable state. Meta-training checkpoints record a transform by its <see cref="object.ToString"/>, so
/// a transform with settings should override it to show them.
/// </summary>
public abstract class EpisodeTransform
{
    /// <summary>
    /// Checks that the transform can handle samples of <paramref name="sampleShape"/>; called once when a
    /// sampler is created, so a mismatch fails there and not on a background thread later.
    /// </summary>
    /// <exception cref="ArgumentException">The transform cannot handle that shape.</exception>
    public virtual void CheckSampleShape(IReadOnlyList<int> sampleShape)
    {
    }

    /// <summary>The transformed episode; <paramref name="episode"/> itself must not be modified.</summary>
    /// <param name="episode">A freshly sampled episode.</param>
    /// <param name="random">A generator seeded from the sampler's seed and the episode index.</param>
    public abstract Episode Apply(Episode episode, Random random);
}
