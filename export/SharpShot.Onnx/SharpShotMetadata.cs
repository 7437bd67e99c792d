namespace SharpShot.Onnx;

/// <summary>
/// Keys of the <c>metadata_props</c> entries SharpShot writes into every exported model, so that a
/// host can validate input and name classes without knowing how the model was trained.
/// </summary>
public static class SharpShotMetadata
{
    /// <summary>Shape of one input sample without the batch dimension, comma-separated: <c>"1,28,28"</c>.</summary>
    public const string InputShape = "sharpshot.input_shape";

    /// <summary>How raw data was scaled into the model's input during training, as text, e.g. <c>"x / 255 (uint8 pixels to [0, 1])"</c>.</summary>
    public const string InputScaling = "sharpshot.input_scaling";

    /// <summary>
    /// Multiplier applied to raw values to get the normalized values (with <see cref="InputOffset"/>: normalized = raw *
    /// scale + offset), invariant-culture float. Whether the graph applies it or its input takes normalized values says
    /// <see cref="InputImage"/>; a model without that entry (exported before it existed) takes normalized values.
    /// </summary>
    public const string InputScale = "sharpshot.input_scale";

    /// <summary>Offset added after <see cref="InputScale"/>, invariant-culture float.</summary>
    public const string InputOffset = "sharpshot.input_offset";

    /// <summary>An image model's input contract as JSON (<see cref="ImageInputContract"/>): layout, channels, size, resize filter, per-channel scale and offset, and whether the graph normalizes.</summary>
    public const string InputImage = "sharpshot.input_image";

    /// <summary>Class labels in output order, as a JSON array of strings.</summary>
    public const string ClassLabels = "sharpshot.class_labels";

    /// <summary>What the output holds: <c>"logits"</c> or <c>"probabilities"</c>.</summary>
    public const string Output = "sharpshot.output";

    /// <summary>The declaring C# class of the exported model.</summary>
    public const string ModelName = "sharpshot.model";

    /// <summary>
    /// A zero-shot embedding's attribute map: the file name (in the embedding's folder) of the ONNX model that maps class
    /// descriptions, [batch, attribute count], to prototypes in the embedding space.
    /// </summary>
    public const string AttributeMap = "sharpshot.attribute_map";

    /// <summary>The attributes of a class description, in vector order, as a JSON array of strings (on the embedding and on its attribute map).</summary>
    public const string AttributeNames = "sharpshot.attribute_names";

    /// <summary>
    /// Key of an adaptive model's inner loop, baked into its graph (JSON: <c>algorithm</c>, <c>task</c>, <c>steps</c>,
    /// <c>inner_learning_rate</c>, <c>ways</c>): the model takes <c>support_x</c>, <c>support_y</c> and <c>query_x</c> and
    /// adapts to the support set inside the graph.
    /// </summary>
    public const string Adaptation = "sharpshot.adaptation";
}
