namespace SharpShot;

/// <summary>
/// Declares how a <see cref="ModelAttribute"/> class is meta-trained: the generator emits
/// <c>MetaLearningDefaults</c> (these settings as <see cref="FewShot.MetaLearnerOptions"/>) and
/// <c>CreateMetaLearner()</c>, and reports invalid settings as compile-time errors.
/// </summary>
/// <example><code>
/// [Model(1, 28, 28)]
/// [MetaLearner(MetaAlgorithm.Maml, Ways = 5, Shots = 1, InnerSteps = 1, InnerLearningRate = 0.4, MetaBatch = 32)]
/// [Block] ... [Flatten, Dense(5)]
/// public partial class OmniglotMaml;
/// </code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MetaLearnerAttribute : Attribute
{
    /// <summary>Declares the algorithm; the other settings are named properties.</summary>
    public MetaLearnerAttribute(MetaAlgorithm algorithm) => Algorithm = algorithm;

    /// <summary>The algorithm.</summary>
    public MetaAlgorithm Algorithm { get; }

    /// <summary>Classification or regression tasks. Default classification.</summary>
    public MetaTaskKind Task { get; set; } = Defaults.MetaLearning.Task;

    /// <summary>Classes per episode, N (classification). Default 5.</summary>
    public int Ways { get; set; } = Defaults.MetaLearning.Ways;

    /// <summary>Support samples per class, K (per task for regression). Default 1.</summary>
    public int Shots { get; set; } = Defaults.MetaLearning.Shots;

    /// <summary>Query samples per class (per task for regression). Default 15.</summary>
    public int Queries { get; set; } = Defaults.MetaLearning.Queries;

    /// <summary>Gradient steps of the inner loop during meta-training (MAML family). Default 1.</summary>
    public int InnerSteps { get; set; } = Defaults.MetaLearning.InnerSteps;

    /// <summary>
    /// Meta-train on the mean of the query losses after every inner step rather than after the last (MAML,
    /// first-order MAML, ANIL, Meta-SGD; see <see cref="FewShot.MetaLearnerOptions.MultiStepLoss"/>). Default false.
    /// </summary>
    public bool MultiStepLoss { get; set; }

    /// <summary>
    /// With <see cref="MultiStepLoss"/>: the weight of the query loss after each inner step, one per
    /// <see cref="InnerSteps"/>, non-negative, not all zero (see <see cref="FewShot.MetaLearnerOptions.MultiStepLossWeights"/>).
    /// Default null: equal weights.
    /// </summary>
    public double[]? MultiStepLossWeights { get; set; }

    /// <summary>Gradient steps when adapting to a new task at test time; 0 means <see cref="InnerSteps"/>. Default 0.</summary>
    public int EvaluationInnerSteps { get; set; }

    /// <summary>Learning rate of the inner loop (the initial one for Meta-SGD). Default 0.4.</summary>
    public double InnerLearningRate { get; set; } = Defaults.MetaLearning.InnerLearningRate;

    /// <summary>Episodes (tasks) per meta-update; 0 means the algorithm's default: 1 for Prototypical Networks, 32 for the MAML family. Default 0.</summary>
    public int MetaBatch { get; set; }

    /// <summary>Outer (Adam) learning rate. Default 1e-3.</summary>
    public double MetaLearningRate { get; set; } = Defaults.MetaLearning.LearningRate;

    /// <summary>Meta-updates to train for. Default 10,000.</summary>
    public int Steps { get; set; } = Defaults.MetaLearning.Steps;

    /// <summary>Seed of the episodes and of any randomness in the model. Default 42.</summary>
    public int Seed { get; set; } = Defaults.MetaLearning.Seed;

    /// <summary>What a meta-training step whose loss or gradients hold a NaN or an infinity does: stop (the default) or be skipped. Checked before the update either way.</summary>
    public NonFiniteSteps NonFiniteSteps { get; set; } = Defaults.MetaLearning.NonFiniteSteps;
}
