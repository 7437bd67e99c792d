namespace SharpShot;

/// <summary>
/// Base of every layer attribute. Layers apply in the order their attributes appear in source,
/// so one class can carry the same kind several times (<c>[Dense(64), Relu, Dense(10)]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    /// <summary>An optional name for the layer (its field in the generated class); defaults to <c>kind_position</c>.</summary>
    public string? Name { get; set; }
}
