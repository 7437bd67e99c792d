using SharpShot.Generators.Helpers;

namespace SharpShot.Generators.Layers;

/// <summary>
/// <c>[Embedding(vocabulary, dimension)]</c>: a (L) input of token ids (carried as floats) → (L, dimension),
/// one learned vector per id: weight (vocabulary, dimension). The vocabulary is at most 2^24, the ids float32
/// holds exactly.
/// </summary>
internal sealed class EmbeddingRule : LayerRule
{
    /// <summary>The runtime's <c>EmbeddingLayer.MaxVocabulary</c>.</summary>
    private const int MaxVocabulary = 1 << 24;

    public EmbeddingRule()
        : base("Embedding")
    {
    }

    public override void Apply(LayerSite layer)
    {
        int vocabulary = layer.Arguments.Int("vocabulary");
        int dimension = layer.Arguments.Int("dimension");

        layer.RequirePositive("vocabulary", vocabulary);
        layer.Require(vocabulary <= MaxVocabulary, "vocabulary", $"at most {CSharpText.Grouped(MaxVocabulary)} (ids must be exact in float32)", CSharpText.Int(vocabulary));
        layer.RequirePositive("dimension", dimension);
        if (layer.HasErrors || !layer.TryGetInput(1, "(length) token-id", out Helpers.EquatableArray<int> input))
        {
            return;
        }

        layer.Parameter("weight", vocabulary, dimension);
        layer.Produces(
            new long[] { input[0], dimension },
            $"vocabulary: {CSharpText.Int(vocabulary)}",
            $"dimension: {CSharpText.Int(dimension)}",
            "init");
    }
}
