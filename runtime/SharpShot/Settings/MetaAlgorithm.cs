// Compiled into the runtime and, linked, into the source generator (SHARPSHOT_GENERATOR): one definition that both
// read, so that the generator's checks and emitted code cannot drift from the runtime.
#if SHARPSHOT_GENERATOR
namespace SharpShot.Generators.Settings;
#else
namespace SharpShot;
#endif

/// <summary>A meta-learning algorithm.</summary>
public enum MetaAlgorithm
{
    /// <summary>Prototypical Networks (Snell et al., 2017): the model is an embedding; a query goes to the class with the nearest mean support embedding.</summary>
    ProtoNet,

    /// <summary>MAML (Finn et al., 2017), second order: the outer gradient flows through the inner gradient steps.</summary>
    Maml,

    /// <summary>First-order MAML: the outer gradient is the query gradient at the adapted weights.</summary>
    FoMaml,

    /// <summary>Reptile (Nichol et al., 2018): the weights move towards the weights each task's inner loop reaches.</summary>
    Reptile,

    /// <summary>ANIL (Raghu et al., 2020): MAML that adapts only the head, the last layer with parameters.</summary>
    Anil,

    /// <summary>Meta-SGD (Li et al., 2017): MAML with a learned inner learning rate per weight.</summary>
    MetaSgd,
}

/// <summary>What a meta-learner's tasks ask of the model.</summary>
public enum MetaTaskKind
{
    /// <summary>N-way classification: the model outputs one logit per way; cross-entropy loss, accuracy.</summary>
    Classification,

    /// <summary>Regression: the model outputs the target; mean squared error.</summary>
    Regression,
}
