namespace SharpShot.Tests.Training;

/// <summary>
/// Tests that compare training runs bit for bit. Dropout draws from TorchSharp's process-wide random
/// generator, which tests running in parallel would also advance, so these run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeterministicTrainingCollection
{
    public const string Name = "Deterministic training";
}
