// Compiled into the runtime and, linked, into the source generator (SHARPSHOT_GENERATOR), as the other settings.
#if SHARPSHOT_GENERATOR
namespace SharpShot.Generators.Settings;
#else
namespace SharpShot;
#endif

/// <summary>
/// Which statistics batch normalization uses for the queries of a task once a MAML-family learner has adapted to its
/// support set (in evaluation, <c>MetaLearner.Predict</c>, the adapted and the adaptive exports). Meta-training
/// always normalizes each set by its own batch statistics, as the MAML paper does.
/// </summary>
public enum QueryNormalization
{
    /// <summary>
    /// The support set's statistics (of the adapted network on the support set): a query's answer depends only on it
    /// and the support set, never on which other queries are classified with it. The default.
    /// </summary>
    SupportStatistics,

    /// <summary>
    /// The statistics of the queries given together (transductive, as in the MAML paper's evaluation): a query's answer
    /// depends on the other queries of its batch, and a single query is normalized by itself alone.
    /// </summary>
    QueryBatch,
}
