// Compiled into the runtime and, linked, into the source generator (SHARPSHOT_GENERATOR): one definition that both
// read, so that the generator's checks and emitted code cannot drift from the runtime.
#if SHARPSHOT_GENERATOR
namespace SharpShot.Generators.Settings;
#else
namespace SharpShot;
#endif

/// <summary>
/// The default of every training and meta-training setting, in one place: the attributes' property initializers, the
/// options records and the generator (for an attribute or property that is absent) all read these.
/// Per-algorithm defaults (meta-batch, learning-rate halving) are in <see cref="MetaAlgorithmTraits"/>.
/// </summary>
internal static class Defaults
{
    /// <summary>Supervised training: <c>[Train]</c> and <c>TrainingOptions</c>.</summary>
    public static class Training
    {
        /// <summary>Passes over the training set.</summary>
        public const int Epochs = 10;

        /// <summary>Samples per optimizer step, as in Keras.</summary>
        public const int BatchSize = 32;

        /// <summary>The optimizer.</summary>
        public const OptimizerKind Optimizer = OptimizerKind.Adam;

        /// <summary>The optimizer's learning rate.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>SGD's momentum.</summary>
        public const double Momentum = 0;

        /// <summary>Seed of initialization, shuffling and dropout.</summary>
        public const int Seed = 42;

        /// <summary>A step with a NaN or infinite loss or gradient stops training (before the optimizer step).</summary>
        public const NonFiniteSteps NonFiniteSteps = NonFiniteSteps.Stop;
    }

    /// <summary>Meta-training: <c>[MetaLearner]</c> and <c>MetaLearnerOptions</c>. The papers' settings where they are explicit.</summary>
    public static class MetaLearning
    {
        /// <summary>The algorithm of <c>MetaLearnerOptions</c> when none is set (the attribute names one always).</summary>
        public const MetaAlgorithm Algorithm = MetaAlgorithm.ProtoNet;

        /// <summary>Classification episodes.</summary>
        public const MetaTaskKind Task = MetaTaskKind.Classification;

        /// <summary>Classes per episode, N.</summary>
        public const int Ways = 5;

        /// <summary>Support samples per class, K.</summary>
        public const int Shots = 1;

        /// <summary>Query samples per class.</summary>
        public const int Queries = 15;

        /// <summary>Meta-updates.</summary>
        public const int Steps = 10_000;

        /// <summary>Inner-loop gradient steps in meta-training (MAML family).</summary>
        public const int InnerSteps = 1;

        /// <summary>The inner loop's learning rate: Finn et al.'s for Omniglot.</summary>
        public const double InnerLearningRate = 0.4;

        /// <summary>Queries normalized by the support set's statistics: one query's answer does not depend on the others'.</summary>
        public const QueryNormalization QueryNormalization = QueryNormalization.SupportStatistics;

        /// <summary>Weight of the zero-shot loss (queries against the described classes' prototypes) beside the few-shot loss.</summary>
        public const double ZeroShotLossWeight = 1.0;

        /// <summary>Adam's (outer) learning rate.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>Seed of the episodes and of any randomness in the model.</summary>
        public const int Seed = 42;

        /// <summary>Steps between validations.</summary>
        public const int ValidationEvery = 1_000;

        /// <summary>Episodes per validation.</summary>
        public const int ValidationEpisodes = 100;

        /// <summary>Steps between checkpoints.</summary>
        public const int CheckpointEvery = 500;

        /// <summary>Steps between progress reports.</summary>
        public const int ProgressEvery = 50;

        /// <summary>Episodes drawn ahead on a background task.</summary>
        public const int PrefetchDepth = 4;

        /// <summary>A step with a NaN or infinite loss or gradient stops meta-training (before the optimizer step).</summary>
        public const NonFiniteSteps NonFiniteSteps = NonFiniteSteps.Stop;
    }
}
