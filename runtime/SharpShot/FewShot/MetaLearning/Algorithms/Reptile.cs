using SharpShot.Native;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Reptile (Nichol, Achiam and Schulman, 2018): each task runs plain SGD steps on its support set from a copy of the
/// weights, and the meta-update moves the weights towards where those steps ended. The query loss at the adapted
/// weights is reported, not trained on.
/// </summary>
internal sealed class Reptile(SequentialModel model, MetaLearnerOptions options) : InnerLoopAlgorithm(model, options)
{
    /// <inheritdoc />
    public override TaskLoss TrainingLoss(TaskTensors task)
    {
        Tensor[] start = Weights.Select(w => w.detach().clone().requires_grad_(true)).ToArray();
        Tensor[] adapted = InnerLoop(start, Forward, task.SupportX, task.SupportY, Options.InnerSteps, secondOrder: false);
        using (no_grad())
        {
            Tensor output = Forward(task.QueryX, adapted);
            return new TaskLoss(Loss(output, task.QueryY), output, adapted);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A surrogate whose gradient with respect to the weights θ is (θ − φ) / <paramref name="tasks"/>, φ the adapted
    /// weights, so that the outer optimizer moves θ towards the meta-batch's mean φ.
    /// </remarks>
    public override void Backward(TaskLoss loss, int tasks)
    {
        IReadOnlyList<Tensor> adapted = loss.Adapted ?? throw new ArgumentException("Reptile's meta-update needs the adapted weights.", nameof(loss));
        Tensor surrogate = zeros(1, device: Model.Device);
        for (int i = 0; i < Weights.Length; i++)
        {
            surrogate = surrogate.Plus(Weights[i].mul(Weights[i].detach().sub(adapted[i].detach()).DividedBy(tasks)).sum());
        }

        surrogate.backward();
    }
}
