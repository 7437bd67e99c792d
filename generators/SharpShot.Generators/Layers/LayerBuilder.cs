using SharpShot.Generators.Helpers;
using SharpShot.Generators.Model;

namespace SharpShot.Generators.Layers;

/// <summary>
/// What a rule states about one layer: its trainable parameters, the values it saves but does not train, and its
/// output with the runtime layer's constructor arguments. <see cref="LayerSite"/> builds a layer attribute, checking
/// what it is told; this class alone builds a layer the generator adds itself, such as a residual shortcut's projection.
/// </summary>
internal class LayerBuilder
{
    private readonly List<ParameterSpec> _parameters = new();
    private long _parameterCount;
    private long _nonTrainable;

    /// <summary>What the rule produced, or null when it reported a problem or its input was unknown.</summary>
    public LayerOutput? Output { get; private set; }

    /// <summary>
    /// Declares a trainable parameter, in the order the runtime layer's functional forward takes them
    /// (its <c>OwnParameters</c>): this is what the model's parameter descriptors list.
    /// </summary>
    /// <param name="name">The name within the layer, e.g. <c>weight</c>.</param>
    /// <param name="shape">Its shape; the product counts towards the layer's parameter count, which must fit 64 bits (else <see cref="OverflowException"/>).</param>
    public void Parameter(string name, params long[] shape)
    {
        long size = 1;
        foreach (long dimension in shape)
        {
            size = checked(size * dimension);
        }

        _parameterCount = checked(_parameterCount + size);
        _parameters.Add(new ParameterSpec(name, shape.ToEquatableArray(), size));
    }

    /// <summary>Declares values the layer saves but does not train (BatchNorm's running statistics); Keras's "non-trainable params".</summary>
    public void NonTrainable(long count) => _nonTrainable = checked(_nonTrainable + count);

    /// <summary>Declares the layer's output; its parameters are those declared before.</summary>
    /// <param name="shape">The per-sample output shape.</param>
    /// <param name="constructorArguments">The runtime layer's constructor arguments after its name, as C# source.</param>
    public virtual void Produces(long[] shape, params string[] constructorArguments) =>
        Output = new LayerOutput(shape.Select(d => (int)d).ToEquatableArray(), _parameters.ToEquatableArray(), _nonTrainable, constructorArguments.ToEquatableArray());

    /// <summary>Declares the layer's output.</summary>
    public void Produces(EquatableArray<int> shape, params string[] constructorArguments) =>
        Produces(shape.Select(d => (long)d).ToArray(), constructorArguments);
}

/// <summary>A layer's output as its rule states it.</summary>
internal sealed record LayerOutput(EquatableArray<int> Shape, EquatableArray<ParameterSpec> Parameters, long NonTrainableValues, EquatableArray<string> ConstructorArguments);
