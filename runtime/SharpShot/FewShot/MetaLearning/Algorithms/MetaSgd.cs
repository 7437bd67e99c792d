using SharpShot.Native;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Meta-SGD (Li, Zhou, Chen and Li, 2017): second-order MAML whose inner loop steps each weight by a learned rate of
/// its own (one per weight element, starting at <see cref="MetaLearnerOptions.InnerLearningRate"/>), meta-trained with
/// the initialization and saved in checkpoints beside it.
/// </summary>
internal sealed class MetaSgd : Maml
{
    private readonly Parameter[] _rates;

    public MetaSgd(SequentialModel model, MetaLearnerOptions options)
        : this(model, options, InitialRates(model, options))
    {
    }

    private MetaSgd(SequentialModel model, MetaLearnerOptions options, Parameter[] rates)
        : base(model, options, secondOrder: true, rates.Select((rate, i) => ($"inner_lr_{i}", rate)).ToArray()) => _rates = rates;

    /// <inheritdoc />
    public override IReadOnlyList<Tensor> InnerLearningRates => _rates;

    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (Parameter rate in _rates)
        {
            rate.Dispose();
        }
    }

    /// <inheritdoc />
    protected override Tensor InnerUpdate(int index, Tensor gradient) => _rates[index].mul(gradient);

    /// <inheritdoc />
    public override Tensor? LearningRateOf(int index) => _rates[index];

    private static Parameter[] InitialRates(SequentialModel model, MetaLearnerOptions options) =>
        model.FunctionalParameters().Select(w => new Parameter(Scalars.FullLike(w, options.InnerLearningRate), requires_grad: true)).ToArray();
}
