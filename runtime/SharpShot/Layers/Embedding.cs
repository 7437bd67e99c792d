using System.Globalization;
using SharpShot.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Token embedding: looks up one learned vector of <see cref="Dimension"/> values per token id.
/// Input (N, L) of ids carried as float32 (a model's ONNX input is float, so hosts feed floats; ids are
/// exact in float32 up to 2^24) → output (N, L, dimension). Any input shape works; the vector is appended
/// as a last axis.
/// </summary>
public sealed class EmbeddingLayer : Layer
{
    private readonly Parameter weight;

    /// <summary>Creates the layer with a (vocabulary, dimension) table drawn from N(0, 1), as PyTorch's <c>nn.Embedding</c> does.</summary>
    /// <param name="name">The layer's field name in the model.</param>
    /// <param name="vocabulary">Number of token ids: valid ids are 0 to <paramref name="vocabulary"/> − 1.</param>
    /// <param name="dimension">Length of each embedding vector.</param>
    /// <param name="init">The model's seeded initializer.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabulary"/> or <paramref name="dimension"/> is not positive, or the vocabulary exceeds 2^24 (ids would not be exact in float32).</exception>
    public EmbeddingLayer(string name, int vocabulary, int dimension, LayerInit init) : base(name)
    {
        ArgumentNullException.ThrowIfNull(init);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vocabulary, MaxVocabulary);
        Vocabulary = vocabulary;
        Dimension = dimension;
        weight = new Parameter(init.Normal([vocabulary, dimension], 1.0));
        RegisterComponents();
    }

    /// <summary>Largest vocabulary whose every id is exact in float32: 2^24.</summary>
    public const int MaxVocabulary = 1 << 24;

    /// <summary>Number of token ids; valid ids are 0 to <see cref="Vocabulary"/> − 1.</summary>
    public int Vocabulary { get; }

    /// <summary>Length of each embedding vector.</summary>
    public int Dimension { get; }

    /// <summary>The embedding table, shape (vocabulary, dimension): row <c>i</c> is token <c>i</c>'s vector.</summary>
    public Parameter Weight => weight;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> OwnParameters => [weight];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An id is negative, not below the vocabulary size, not a whole number, or not finite.</exception>
    public override Tensor Forward(Tensor x, ParameterCursor parameters, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor table = Take(parameters, "weight", weight);
        using var scope = NewDisposeScope();
        Tensor ids = ToIds(x);
        long[] shape = [.. ids.shape, Dimension];
        return table.index_select(0, ids.flatten()).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string EmitOnnx(OnnxEmitContext context, string input)
    {
        ArgumentNullException.ThrowIfNull(context);
        OnnxGraphBuilder graph = context.Graph;
        string table = AddWeight(context, "weight", weight);
        string ids = graph.AddNode("Cast", [input], $"{PathIn(context)}_ids", OnnxAttribute.Int("to", (long)OnnxElementType.Int64));
        return graph.AddNode("Gather", [table, ids], PathIn(context), OnnxAttribute.Int("axis", 0));
    }

    /// <summary>
    /// The ids as int64, after checking every one is a whole number in [0, vocabulary): an index out of
    /// range would otherwise fail inside LibTorch with an unhelpful native error.
    /// </summary>
    private Tensor ToIds(Tensor x)
    {
        using (no_grad())
        {
            Tensor values = x.detach();
            Tensor invalid = values.lt(0).logical_or_(values.ge(Vocabulary));
            if (values.is_floating_point())
            {
                // NaN ≠ floor(NaN), so non-finite values are caught here too; ±∞ already are by the range test.
                invalid.logical_or_(values.ne(values.floor()));
            }

            if (invalid.any().item<bool>())
            {
                long first = invalid.flatten().nonzero()[0, 0].item<long>();
                double id = values.flatten()[first].to_type(ScalarType.Float64).item<double>();
                string position = string.Join(", ", Unravel(first, values.shape));
                string problem = !double.IsFinite(id) ? "is not a finite number"
                    : id != Math.Floor(id) ? "is not a whole number"
                    : $"is outside the vocabulary of {Vocabulary} ids";
                throw new ArgumentException(
                    $"Embedding layer '{GetName()}': token id {id.ToString(CultureInfo.InvariantCulture)} at index [{position}] {problem} (valid ids are 0 to {Vocabulary - 1}).",
                    nameof(x));
            }

            return values.to_type(ScalarType.Int64);
        }
    }

    private static long[] Unravel(long flatIndex, long[] shape)
    {
        var index = new long[shape.Length];
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flatIndex % shape[axis];
            flatIndex /= shape[axis];
        }

        return index;
    }
}
