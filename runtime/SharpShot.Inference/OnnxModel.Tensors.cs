using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpShot.Onnx;

namespace SharpShot.Inference;

public sealed partial class OnnxModel
{
    /// <summary>Every input the model takes, as ONNX Runtime sees it: name, element type and axes (fixed, symbolic or unknown).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>Every output the model produces, as ONNX Runtime sees it.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>
    /// Runs the model on named tensors of any supported element type: the general API, for models with several
    /// inputs or outputs, integer or float16 data, or symbolic axes. Every input is checked against
    /// <see cref="Inputs"/> (element type, rank, fixed axes, one size per symbolic axis name) before it reaches ONNX
    /// Runtime. Outputs are copied into new arrays; <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> is the
    /// allocation-free path for one-input, one-output float models.
    /// </summary>
    /// <param name="inputs">One tensor per name in <see cref="Inputs"/>.</param>
    /// <param name="outputNames">The outputs to compute; <see langword="null"/> for all of <see cref="Outputs"/>.</param>
    /// <returns>The requested outputs by name, in the order asked for.</returns>
    /// <exception cref="ArgumentException">An input is missing, unknown, or of the wrong element type; an output name is unknown.</exception>
    /// <exception cref="ShapeMismatchException">An input's shape does not fit the declared axes.</exception>
    /// <exception cref="LimitExceededException">An input or output holds more than <see cref="OnnxModelOptions.MaxTensorElements"/> values.</exception>
    /// <exception cref="NotSupportedException">An output is not a tensor, or of an element type <see cref="OnnxTensor"/> does not carry.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed while running the graph.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed, also while the call ran.</exception>
    public IReadOnlyDictionary<string, OnnxTensor> Run(IReadOnlyDictionary<string, OnnxTensor> inputs, IEnumerable<string>? outputNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var outputs = outputNames is null ? _allOutputNames : CheckOutputNames(outputNames);
        var (names, tensors) = CheckInputs(inputs);

        _gate.Enter(this);
        var handles = new GCHandle[tensors.Length];
        var values = new OrtValue[tensors.Length];
        try
        {
            for (var i = 0; i < tensors.Length; i++)
            {
                handles[i] = GCHandle.Alloc(tensors[i].Data, GCHandleType.Pinned);
                values[i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (TensorElementType)tensors[i].ElementType,
                    tensors[i].ShapeArray, handles[i].AddrOfPinnedObject(), ByteCount(tensors[i]));
            }
            using var results = RunSession(() => _session.Run(_runOptions, names, values, outputs));
            var read = new Dictionary<string, OnnxTensor>(outputs.Length, StringComparer.Ordinal);
            for (var i = 0; i < outputs.Length; i++)
            {
                read.Add(outputs[i], CopyOut(outputs[i], results[i]));
            }
            return read;
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
            _gate.Exit();
        }
    }

    private string[] CheckOutputNames(IEnumerable<string> outputNames)
    {
        var names = outputNames.ToArray();
        if (names.Length == 0)
        {
            throw new ArgumentException("No output was asked for; pass null for all outputs.", nameof(outputNames));
        }
        foreach (var name in names)
        {
            if (name is null || !_session.OutputMetadata.ContainsKey(name))
            {
                throw new ArgumentException(
                    $"The model has no output '{name}'; its outputs are {string.Join(", ", Outputs.Select(o => $"'{o.Name}'"))}.", nameof(outputNames));
            }
        }
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new ArgumentException($"An output is asked for twice: {string.Join(", ", names)}.", nameof(outputNames));
        }
        return names;
    }

    /// <summary>Checks the inputs against the declared signature, so that mistakes get our message rather than a native one.</summary>
    private (string[] Names, OnnxTensor[] Tensors) CheckInputs(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        foreach (var name in inputs.Keys)
        {
            if (Inputs.All(i => i.Name != name))
            {
                throw new ArgumentException(
                    $"The model has no input '{name}'; its inputs are {string.Join(", ", Inputs.Select(i => i.ToString()))}.", nameof(inputs));
            }
        }
        var symbols = new Dictionary<string, (long Size, string Input)>(StringComparer.Ordinal);
        var names = new string[Inputs.Count];
        var tensors = new OnnxTensor[Inputs.Count];
        for (var i = 0; i < Inputs.Count; i++)
        {
            var declared = Inputs[i];
            if (!inputs.TryGetValue(declared.Name, out var tensor) || tensor is null)
            {
                throw new ArgumentException($"Input '{declared.Name}' ({declared}) was not given.", nameof(inputs));
            }
            if (tensor.ElementType != declared.ElementType)
            {
                throw new ArgumentException(
                    $"Input '{declared.Name}' takes {declared.ElementType} values ({declared}); got a tensor of {tensor.ElementType}.", nameof(inputs));
            }
            CheckAxes(declared, tensor, symbols);
            if (tensor.ElementCount > _limits.MaxTensorElements)
            {
                throw new LimitExceededException("OnnxModelOptions.MaxTensorElements", _limits.MaxTensorElements, tensor.ElementCount,
                    $"Input '{declared.Name}' {tensor}", "elements");
            }
            names[i] = declared.Name;
            tensors[i] = tensor;
        }
        return (names, tensors);
    }

    private static void CheckAxes(OnnxValueInfo declared, OnnxTensor tensor, Dictionary<string, (long Size, string Input)> symbols)
    {
        // ONNX Runtime reports no axes both for a scalar and for an undeclared shape; only a declared rank is checked.
        if (declared.Shape.Count == 0)
        {
            return;
        }
        if (tensor.Shape.Count != declared.Shape.Count)
        {
            throw new ShapeMismatchException("inputs",
                $"Input '{declared.Name}' has {declared.Shape.Count} axes {OnnxDimension.Format(declared.Shape)}; got {tensor.Shape.Count}: {OnnxTensor.Format(tensor.Shape)}.",
                declared.Shape.Count, tensor.Shape.Count);
        }
        for (var axis = 0; axis < declared.Shape.Count; axis++)
        {
            var size = tensor.Shape[axis];
            var dim = declared.Shape[axis];
            if (dim.Value is { } fixedSize && fixedSize != size)
            {
                throw new ShapeMismatchException("inputs",
                    string.Create(CultureInfo.InvariantCulture,
                        $"Axis {axis} of input '{declared.Name}' {OnnxDimension.Format(declared.Shape)} is fixed at {fixedSize}; got {size} in {OnnxTensor.Format(tensor.Shape)}."),
                    fixedSize, size);
            }
            if (dim.Symbol is { } symbol)
            {
                if (symbols.TryGetValue(symbol, out var seen) && seen.Size != size)
                {
                    throw new ShapeMismatchException("inputs",
                        string.Create(CultureInfo.InvariantCulture,
                            $"The axis '{symbol}' is {seen.Size} in input '{seen.Input}' but {size} in input '{declared.Name}'; one name means one size."),
                        seen.Size, size);
                }
                symbols[symbol] = (size, declared.Name);
            }
        }
    }

    private OnnxTensor CopyOut(string name, OrtValue value)
    {
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"Output '{name}' is a {value.OnnxType}, not a tensor; OnnxModel.Run returns tensors only.");
        }
        var info = value.GetTensorTypeAndShape();
        var elementType = (OnnxElementType)info.ElementDataType;
        var clrType = TensorElementTypes.ClrType(elementType)
            ?? throw new NotSupportedException($"Output '{name}' holds {elementType} values, which OnnxTensor does not carry ({TensorElementTypes.SupportedList}).");
        var count = info.ElementCount;
        if (count > _limits.MaxTensorElements)
        {
            throw new LimitExceededException("OnnxModelOptions.MaxTensorElements", _limits.MaxTensorElements, count,
                $"Output '{name}' {OnnxTensor.Format(info.Shape)}", "elements");
        }
        var data = Array.CreateInstance(clrType, count);
        if (count > 0)
        {
            var source = value.GetTensorMutableRawData();
            var target = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(data), source.Length);
            source.CopyTo(target);
        }
        return OnnxTensor.FromOwnedArray(elementType, info.Shape, data);
    }

    private static long ByteCount(OnnxTensor tensor) => tensor.ElementCount * TensorElementTypes.Size(tensor.ElementType);

    private static OnnxValueInfo ToValueInfo(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
        {
            return new OnnxValueInfo(name, OnnxElementType.Undefined, []);
        }
        var symbols = metadata.SymbolicDimensions;
        var axes = metadata.Dimensions.Select((d, i) => d >= 0
            ? OnnxDimension.Fixed(d)
            : i < symbols.Length && !string.IsNullOrWhiteSpace(symbols[i]) ? OnnxDimension.Symbolic(symbols[i]) : OnnxDimension.Unknown).ToArray();
        return new OnnxValueInfo(name, (OnnxElementType)metadata.ElementDataType, axes);
    }
}
