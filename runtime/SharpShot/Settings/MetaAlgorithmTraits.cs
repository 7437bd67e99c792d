// Compiled into the runtime and, linked, into the source generator (SHARPSHOT_GENERATOR): one definition that both
// read, so that the generator's checks and emitted code cannot drift from the runtime.
#if SHARPSHOT_GENERATOR
namespace SharpShot.Generators.Settings;
#else
namespace SharpShot;
#endif

/// <summary>
/// What each <see cref="MetaAlgorithm"/> can do and its own defaults: the one table that option validation, the
/// learner and the generator's checks (SS0017–SS0021) consult. An algorithm's behaviour lives in its class
/// (runtime <c>FewShot/MetaLearning/Algorithms</c>); adding one adds its enum member, its row here and its class.
/// </summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Title">How messages name it, e.g. <c>first-order MAML</c>.</param>
/// <param name="AdaptsWeights">
/// True for the MAML family, which adapts the network's weights by gradient steps: a classifier must output one logit
/// per way, and its exported graph normalizes with batch statistics as adaptation does. False for Prototypical
/// Networks, whose model is an embedding of any shape, adapted by class prototypes.
/// </param>
/// <param name="SupportsRegression">Whether it meta-trains on regression tasks.</param>
/// <param name="SupportsMultiStepLoss">Whether it can meta-train on the query losses after every inner step (MAML++).</param>
/// <param name="DefaultMetaBatch">Episodes per meta-update when none is set.</param>
/// <param name="DefaultLearningRateHalvingEvery">Steps after which the outer learning rate halves when none is set; 0: never.</param>
internal sealed record MetaAlgorithmTraits(
    MetaAlgorithm Algorithm,
    string Title,
    bool AdaptsWeights,
    bool SupportsRegression,
    bool SupportsMultiStepLoss,
    int DefaultMetaBatch,
    int DefaultLearningRateHalvingEvery)
{
    /// <summary>One row per algorithm.</summary>
    public static IReadOnlyList<MetaAlgorithmTraits> All { get; } = new MetaAlgorithmTraits[]
    {
        // Snell et al. 2017: one episode per Adam step, the rate halved every 2,000 episodes.
        new(MetaAlgorithm.ProtoNet, "Prototypical Networks", AdaptsWeights: false, SupportsRegression: false, SupportsMultiStepLoss: false, 1, 2_000),

        // Finn et al. 2017 (Omniglot): meta-batches of 32 tasks, constant Adam rate.
        new(MetaAlgorithm.Maml, "MAML", AdaptsWeights: true, SupportsRegression: true, SupportsMultiStepLoss: true, 32, 0),
        new(MetaAlgorithm.FoMaml, "first-order MAML", AdaptsWeights: true, SupportsRegression: true, SupportsMultiStepLoss: true, 32, 0),

        // Reptile's update uses only the weights after the last inner step: no per-step query losses to weigh.
        new(MetaAlgorithm.Reptile, "Reptile", AdaptsWeights: true, SupportsRegression: true, SupportsMultiStepLoss: false, 32, 0),
        new(MetaAlgorithm.Anil, "ANIL", AdaptsWeights: true, SupportsRegression: true, SupportsMultiStepLoss: true, 32, 0),
        new(MetaAlgorithm.MetaSgd, "Meta-SGD", AdaptsWeights: true, SupportsRegression: true, SupportsMultiStepLoss: true, 32, 0),
    };

    /// <summary>The titles of the algorithms for which <paramref name="condition"/> holds, as "A, B and C" (for messages).</summary>
    public static string Titles(Func<MetaAlgorithmTraits, bool> condition) => Sentence(All.Where(condition).Select(t => t.Title));

    /// <summary>The enum names of the algorithms for which <paramref name="condition"/> holds, as "A, B and C" (for messages about the attribute).</summary>
    public static string Names(Func<MetaAlgorithmTraits, bool> condition) => Sentence(All.Where(condition).Select(t => t.Algorithm.ToString()));

    /// <summary>The row of <paramref name="algorithm"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a member of <see cref="MetaAlgorithm"/>.</exception>
    public static MetaAlgorithmTraits Of(MetaAlgorithm algorithm)
    {
        foreach (MetaAlgorithmTraits traits in All)
        {
            if (traits.Algorithm == algorithm)
            {
                return traits;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not a known meta-learning algorithm.");
    }

    private static string Sentence(IEnumerable<string> items)
    {
        string[] list = items.ToArray();
        return list.Length <= 1 ? string.Join(string.Empty, list) : string.Join(", ", list.Take(list.Length - 1)) + " and " + list[list.Length - 1];
    }
}
