using System.Globalization;
using System.Text.Json;
using SharpShot.Data;
using SharpShot.Layers;
using SharpShot.Onnx;
using SharpShot.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpShot;

/// <summary>
/// Base of every generated <see cref="ModelAttribute"/> class: a TorchSharp module whose layers,
/// shapes, summary and ONNX graph are generated at compile time, and which trains, evaluates and
/// exports through the library code here.
/// </summary>
public abstract class SequentialModel : nn.Module<Tensor, Tensor>
{
    /// <summary>The lowest opset <see cref="ExportOnnx(string, int)"/> writes: 13 is the first with last-axis Softmax semantics.</summary>
    public const int MinimumExportOpset = 13;

    /// <summary>Creates the module; generated constructors pass the class name.</summary>
    protected SequentialModel(string name) : base(name)
    {
    }

    /// <summary>Shape of one input sample, without the batch dimension.</summary>
    public abstract IReadOnlyList<int> InputShape { get; }

    /// <summary>Shape of one output, without the batch dimension.</summary>
    public abstract IReadOnlyList<int> OutputShape { get; }

    /// <summary>Number of trainable values, as Keras counts them.</summary>
    public abstract long ParameterCount { get; }

    /// <summary>True when the last declared layer is Softmax: <c>forward</c> returns probabilities, <see cref="Logits"/> the values before it.</summary>
    public abstract bool OutputsProbabilities { get; }

    /// <summary>Hyperparameters <see cref="Fit"/> uses when none are passed, from the class's <see cref="TrainAttribute"/>.</summary>
    public abstract TrainingOptions TrainingDefaults { get; }

    /// <summary>Class names recorded by <see cref="Fit"/> from the training data (or set by hand); exported as ONNX metadata.</summary>
    public IReadOnlyList<string>? ClassLabels { get; set; }

    /// <summary>How the training data was scaled; exported as ONNX metadata so hosts can prepare raw input the same way.</summary>
    public InputScaling? InputScaling { get; set; }

    /// <summary>The device the model's parameters live on (CPU when it has none).</summary>
    public Device Device => parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>A Keras-style table of layers, output shapes and parameter counts, computed at compile time.</summary>
    public abstract string Summary();

    /// <summary>Runs every layer except a final Softmax: the values cross-entropy training works on.</summary>
    public abstract Tensor Logits(Tensor input);

    /// <summary>
    /// Name and shape of every trainable parameter, in the order <see cref="FunctionalLogits"/> takes them;
    /// computed at compile time.
    /// </summary>
    public abstract IReadOnlyList<ParameterDescriptor> ParameterDescriptors { get; }

    /// <summary>
    /// <see cref="Logits"/> with explicit parameters instead of the model's own, in <see cref="ParameterDescriptors"/>
    /// order: the functional forward MAML-style inner loops run on adapted weights without cloning the module.
    /// Gradients flow to the tensors passed in, also through second-order graphs.
    /// </summary>
    /// <exception cref="ArgumentException">Too few or too many parameters, or one of the wrong shape.</exception>
    public abstract Tensor FunctionalLogits(Tensor input, IReadOnlyList<Tensor> parameters, bool training);

    /// <summary><c>forward</c> with explicit parameters: <see cref="FunctionalLogits"/> followed by a final Softmax when declared.</summary>
    public abstract Tensor Functional(Tensor input, IReadOnlyList<Tensor> parameters, bool training);

    /// <summary>The model's own trainable parameters in <see cref="ParameterDescriptors"/> order: the starting point of an inner loop.</summary>
    public IReadOnlyList<Parameter> FunctionalParameters() => Layers.SelectMany(layer => layer.OwnParameters).ToArray();

    /// <summary>The top-level layers in declaration order (blocks and residual connections count as one). Generated.</summary>
    protected abstract IReadOnlyList<Layer> Layers { get; }

    /// <summary>The top-level layers <see cref="FunctionalLogits"/> runs: all but a final Softmax.</summary>
    internal IReadOnlyList<Layer> LogitLayers => OutputsProbabilities ? Layers.Take(Layers.Count - 1).ToArray() : Layers;

    /// <summary>Trains on <paramref name="train"/> with cross-entropy on the logits; validates on <paramref name="validation"/> after each epoch.</summary>
    /// <param name="train">Samples of shape <see cref="InputShape"/> with labels below the number of outputs.</param>
    /// <param name="validation">Evaluated after every epoch when given.</param>
    /// <param name="progress">Called every 1% of an epoch and at the end of each epoch.</param>
    /// <param name="options">Hyperparameters; <see cref="TrainingDefaults"/> when null.</param>
    /// <param name="cancellationToken">Stops training between two batches.</param>
    /// <returns>Per-epoch metrics.</returns>
    /// <exception cref="ArgumentException">The data's sample shape or labels do not fit the model, or an option is invalid.</exception>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite (with <see cref="TrainingOptions.NonFiniteSteps"/> = Stop); no update was made on it.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint file belongs to another run or has more epochs done than asked for; <see cref="CheckpointCorruptException"/> when it is damaged.</exception>
    public TrainingHistory Fit(
        Dataset train,
        Dataset? validation = null,
        Action<TrainingProgress>? progress = null,
        TrainingOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Trainer.Fit(this, train, validation, options ?? TrainingDefaults, progress, cancellationToken);

    /// <summary>
    /// Loads the weights and buffers of a training checkpoint (<see cref="TrainingOptions.CheckpointPath"/>, or the best
    /// epoch's <c>&lt;name&gt;.best&lt;extension&gt;</c> written beside it) into this model. The whole file is checked first —
    /// checksum, format, every tensor's name, type and shape — and on any failure the model is left as it was.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="CheckpointCorruptException">The file is damaged or not a checkpoint.</exception>
    /// <exception cref="CheckpointMismatchException">Its tensors are not this model's (the message names the first that differs), or it is of another format version.</exception>
    public void LoadCheckpointWeights(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        CheckpointFile.LoadWeights(path, this);
    }

    /// <summary>Mean cross-entropy and accuracy on <paramref name="data"/>, in eval mode.</summary>
    public EvaluationResult Evaluate(Dataset data, int batchSize = 256) => Trainer.Evaluate(this, data, batchSize);

    /// <summary>The model's outputs for every sample of <paramref name="data"/>, row-major (<c>Count × product(OutputShape)</c>), in eval mode.</summary>
    public float[] Predict(Dataset data, int batchSize = 256) => Trainer.Predict(this, data, batchSize);

    /// <summary>
    /// Writes the model as an ONNX file: one float input <c>input</c> of shape (batch, <see cref="InputShape"/>)
    /// with a symbolic batch dimension, one output <c>output</c> (what <c>forward</c> returns in eval mode), the current
    /// weights as initializers, and metadata (input shape and scaling, class labels, output kind).
    /// An image model (1 or 3 channels, <see cref="InputScaling"/> from 8-bit pixels) gets its scaling as the graph's
    /// first nodes and an <see cref="ImageInputContract"/> in its metadata: its <c>input</c> takes raw pixel values
    /// (0 to 255), not the scaled values it trained on.
    /// The file is written to a temporary name and renamed, so it is never half-written.
    /// </summary>
    /// <param name="path">Where to write the .onnx file; its folder is created if missing.</param>
    /// <param name="opset">ONNX opset, <see cref="MinimumExportOpset"/> or newer; the IR version follows it.</param>
    public void ExportOnnx(string path, int opset = OnnxGraphBuilder.DefaultOpset) =>
        ExportOnnx(path, FunctionalParameters(), training: false, opset);

    /// <summary>
    /// Writes the network with <paramref name="weights"/> instead of its own (e.g. weights adapted to a task), as
    /// <see cref="ExportOnnx(string, int)"/> does: the graph computes <see cref="Functional"/> with these weights. The
    /// model itself is not changed.
    /// </summary>
    /// <param name="path">Where to write the .onnx file; its folder is created if missing.</param>
    /// <param name="weights">Every trainable parameter in <see cref="ParameterDescriptors"/> order (see <see cref="FunctionalParameters"/>).</param>
    /// <param name="training">
    /// True: batch normalization uses the statistics of each batch the ONNX model is given, as <see cref="Functional"/>
    /// does with <c>training: true</c>; false: the running statistics. Dropout is inactive either way.
    /// </param>
    /// <param name="opset">ONNX opset, <see cref="MinimumExportOpset"/> or newer; the IR version follows it.</param>
    /// <exception cref="ArgumentException">Too few or too many weights, or one of the wrong shape.</exception>
    public void ExportOnnx(string path, IReadOnlyList<Tensor> weights, bool training, int opset = OnnxGraphBuilder.DefaultOpset) =>
        ExportOnnx(path, weights, training, opset, statistics: null);

    /// <summary>As <see cref="ExportOnnx(string, IReadOnlyList{Tensor}, bool, int)"/>, with batch norm normalizing by <paramref name="statistics"/> where they have a layer.</summary>
    internal void ExportOnnx(string path, IReadOnlyList<Tensor> weights, bool training, int opset, BatchStatistics? statistics, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(weights);
        if (opset < MinimumExportOpset)
        {
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"SharpShot exports opset {MinimumExportOpset} or newer.");
        }

        var graph = new OnnxGraphBuilder(GetType().Name, opset) { DocString = Summary() };
        OnnxDimension batch = OnnxDimension.Symbolic("batch");
        string input = graph.AddInput("input", OnnxElementType.Float, [batch, .. InputShape.Select(d => OnnxDimension.Fixed(d))]);
        ImageInputContract? image = ImageContract();
        string normalized = image is { NormalizedInGraph: true } ? EmitNormalization(graph, input, image) : input;
        var context = new OnnxEmitContext(graph, weights, training, statistics);
        string last = EmitOnnxGraph(context, normalized);
        context.Weights.EnsureConsumed();

        string output = graph.AddNode("Identity", [last], "output");
        graph.AddOutput(output, OnnxElementType.Float, [batch, .. OutputShape.Select(d => OnnxDimension.Fixed(d))]);

        graph.SetMetadata(SharpShotMetadata.ModelName, GetType().FullName ?? GetType().Name);
        graph.SetMetadata(SharpShotMetadata.InputShape, string.Join(",", InputShape));
        graph.SetMetadata(SharpShotMetadata.Output, OutputsProbabilities ? "probabilities" : "logits");
        if (ClassLabels is { Count: > 0 })
        {
            graph.SetMetadata(SharpShotMetadata.ClassLabels, JsonSerializer.Serialize(ClassLabels));
        }

        if (InputScaling is not null)
        {
            graph.SetMetadata(SharpShotMetadata.InputScaling, InputScaling.Description);
            graph.SetMetadata(SharpShotMetadata.InputScale, InputScaling.Scale.ToString("R", CultureInfo.InvariantCulture));
            graph.SetMetadata(SharpShotMetadata.InputOffset, InputScaling.Offset.ToString("R", CultureInfo.InvariantCulture));
        }

        if (image is not null)
        {
            graph.SetMetadata(SharpShotMetadata.InputImage, image.ToJson());
        }

        foreach ((string key, string value) in metadata ?? new Dictionary<string, string>())
        {
            graph.SetMetadata(key, value);
        }

        graph.Save(path);
    }

    /// <summary>
    /// The input contract of an image model: a (channels, height, width) input of 1 or 3 channels whose data was
    /// scaled from 8-bit pixels. Its graph normalizes, so the exported model takes raw pixel values; null for other
    /// models (their graph takes the values the model trained on).
    /// </summary>
    internal ImageInputContract? ImageContract() =>
        InputScaling is { } scaling && scaling != InputScaling.None && InputShape is [1 or 3, > 0, > 0]
            ? new ImageInputContract(InputShape[0], InputShape[1], InputShape[2], [scaling.Scale], [scaling.Offset], normalizedInGraph: true)
            : null;

    /// <summary>Appends <c>input * scale + offset</c> per channel (a node is left out when it would do nothing); returns the normalized value's name.</summary>
    internal static string EmitNormalization(OnnxGraphBuilder graph, string input, ImageInputContract image)
    {
        string value = input;
        if (image.Scale.Any(s => s != 1.0))
        {
            string scale = graph.AddInitializer("input_scale", image.Scale.Select(s => (float)s).ToArray(), 1, image.Channels, 1, 1);
            value = graph.AddNode("Mul", [value, scale], "input_scaled");
        }

        if (image.Offset.Any(o => o != 0.0))
        {
            string offset = graph.AddInitializer("input_offset", image.Offset.Select(o => (float)o).ToArray(), 1, image.Channels, 1, 1);
            value = graph.AddNode("Add", [value, offset], "input_normalized");
        }

        return value;
    }

    /// <summary>Appends every layer's ONNX nodes in order, starting from <paramref name="input"/>; returns the last value's name. Generated.</summary>
    protected abstract string EmitOnnxGraph(OnnxEmitContext context, string input);

    /// <summary>Registers the generated layer fields as submodules and moves the model to <paramref name="device"/>. Called by generated constructors.</summary>
    protected void Initialize(Device? device)
    {
        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }
}
