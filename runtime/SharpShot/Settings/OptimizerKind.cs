// Compiled into the runtime and, linked, into the source generator (SHARPSHOT_GENERATOR): one definition that both
// read, so that the generator's checks and emitted code cannot drift from the runtime.
#if SHARPSHOT_GENERATOR
namespace SharpShot.Generators.Settings;
#else
namespace SharpShot;
#endif

/// <summary>The optimizer a generated trainer uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba, 2015) with PyTorch's default betas (0.9, 0.999) and epsilon 1e-8.</summary>
    Adam,

    /// <summary>Stochastic gradient descent, with optional momentum (<c>[Train(Momentum = …)]</c>, <c>TrainingOptions.Momentum</c>).</summary>
    Sgd,
}
