namespace SharpShot;

/// <summary>
/// Declares a <c>partial</c> class as a reusable, shape-polymorphic block: its layer attributes are
/// inserted wherever <see cref="RepeatAttribute"/>, <see cref="ResidualAttribute"/> or
/// <see cref="UseAttribute"/> names it, with shapes inferred for each use.
/// </summary>
/// <example><code>
/// [Block]
/// [Conv2d(64, 3, Padding = 1), BatchNorm2d, Relu, MaxPool2d(2)]
/// public partial class ConvBlock;
/// </code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlockAttribute : Attribute;

/// <summary>Inserts a <see cref="BlockAttribute"/> block <c>count</c> times in a row.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RepeatAttribute : LayerAttribute
{
    /// <summary>Declares the repetition.</summary>
    /// <param name="block">A class marked <see cref="BlockAttribute"/>.</param>
    /// <param name="count">How many times (positive).</param>
    public RepeatAttribute(Type block, int count)
    {
        Block = block;
        Count = count;
    }

    /// <summary>The block class.</summary>
    public Type Block { get; }

    /// <summary>How many times the block is inserted.</summary>
    public int Count { get; }
}

/// <summary>
/// A residual connection around a <see cref="BlockAttribute"/> block: <c>x + block(x)</c>. The block must
/// keep the shape, unless <see cref="Projection"/> adds a learned projection of x (a 1×1 convolution,
/// strided as needed, for images; a dense layer for vectors).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : LayerAttribute
{
    /// <summary>Declares the residual connection.</summary>
    /// <param name="block">A class marked <see cref="BlockAttribute"/>.</param>
    public ResidualAttribute(Type block) => Block = block;

    /// <summary>The block on the residual branch.</summary>
    public Type Block { get; }

    /// <summary>Projects the shortcut to the block's output shape when they differ. Default false: the shapes must match.</summary>
    public bool Projection { get; set; }
}

/// <summary>Embeds another <see cref="ModelAttribute"/> class's layers here; the current shape must equal that model's input shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UseAttribute : LayerAttribute
{
    /// <summary>Declares the embedding.</summary>
    /// <param name="model">A class marked <see cref="ModelAttribute"/>.</param>
    public UseAttribute(Type model) => Model = model;

    /// <summary>The embedded model class.</summary>
    public Type Model { get; }
}
