using SharpShot;

namespace ZeroShotExample;

/// <summary>One conv-4 block: 64 3×3 filters, batch norm, ReLU, 2×2 max pooling.</summary>
[Block]
[Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
public partial class ConvBlock;

/// <summary>The conv-4 embedding of Prototypical Networks: four blocks take 28×28 to 1×1×64, a 64-value embedding.</summary>
[Model(1, 28, 28)]
[Repeat(typeof(ConvBlock), 4), Flatten]
public partial class FashionEmbedding;

/// <summary>
/// The attribute map: a class description (13 attributes, fashion-attributes.csv) to a prototype in the 64-value
/// embedding space. Linear, as in Snell et al.'s zero-shot experiment: with eight training classes, a map with more
/// freedom would fit their eight descriptions and say little about new combinations of the same attributes.
/// </summary>
[Model(13)]
[Dense(64)]
public partial class AttributeMap;
