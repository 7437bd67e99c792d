using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// MAML (Finn, Abbeel and Levine, 2017): the meta-gradient of each task's query loss flows back through the inner
/// loop's gradient steps to the initialization (second order), or, first-order, is the query gradient at the adapted
/// weights with the inner steps' gradients taken as constants.
/// </summary>
internal class Maml(SequentialModel model, MetaLearnerOptions options, bool secondOrder, IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Value)>? ownMetaParameters = null)
    : InnerLoopAlgorithm(model, options, ownMetaParameters)
{
    /// <inheritdoc />
    public override TaskLoss TrainingLoss(TaskTensors task) => QueryLoss(
        InnerLoopSteps(Weights, Forward, task.SupportX, task.SupportY, Options.InnerSteps, secondOrder),
        adapted => Forward(task.QueryX, adapted),
        task.QueryY);
}
