using static TorchSharp.torch;

namespace SharpShot.Layers;

/// <summary>
/// Hands out explicitly supplied parameter tensors, in order, to the layers of a functional forward
/// pass (what MAML-style inner loops run: the same network with adapted weights, no module cloned).
/// </summary>
public sealed class ParameterCursor
{
    private readonly IReadOnlyList<Tensor> _parameters;
    private int _next;

    /// <summary>Starts at the first of <paramref name="parameters"/>, which must be in the model's <c>ParameterDescriptors</c> order.</summary>
    public ParameterCursor(IReadOnlyList<Tensor> parameters) => _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));

    /// <summary>The next parameter, checked against the shape the layer expects.</summary>
    /// <param name="owner">The layer asking, for the error message.</param>
    /// <param name="name">The parameter's name within the layer, e.g. <c>weight</c>.</param>
    /// <param name="shape">The shape the layer needs.</param>
    /// <exception cref="ArgumentException">There are too few parameters, or this one has another shape.</exception>
    public Tensor Next(string owner, string name, ReadOnlySpan<long> shape)
    {
        if (_next >= _parameters.Count)
        {
            throw new ArgumentException($"{owner}.{name} needs parameter #{_next + 1}, but only {_parameters.Count} were given.");
        }

        Tensor parameter = _parameters[_next];
        if (!parameter.shape.AsSpan().SequenceEqual(shape))
        {
            throw new ArgumentException(
                $"Parameter #{_next + 1} ({owner}.{name}) must have shape [{string.Join(", ", shape.ToArray())}]; got [{string.Join(", ", parameter.shape)}].");
        }

        _next++;
        return parameter;
    }

    /// <summary>Throws when parameters are left over: the list was made for another network.</summary>
    public void EnsureConsumed()
    {
        if (_next != _parameters.Count)
        {
            throw new ArgumentException($"The network uses {_next} parameters, but {_parameters.Count} were given.");
        }
    }
}

/// <summary>Name and shape of one trainable parameter of a generated model, in functional-forward order.</summary>
/// <param name="Name">Dotted name as in the module's state dict, e.g. <c>conv2d_1.weight</c>.</param>
/// <param name="Shape">Its shape.</param>
public sealed record ParameterDescriptor(string Name, IReadOnlyList<long> Shape);
