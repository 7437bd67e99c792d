using System.Globalization;
using System.Text.Json;
using SharpShot.Layers;
using SharpShot.Onnx;
using static TorchSharp.torch;

namespace SharpShot.FewShot;

/// <summary>
/// Writes a MAML-family learner as one ONNX model that adapts inside the graph: inputs <c>support_x</c>,
/// <c>support_y</c> and <c>query_x</c>; the inner loop's gradient steps unrolled as ONNX operators (each layer's
/// backward rule, <see cref="Layer.EmitDifferentiable"/>) from the meta-trained initialization, with the learner's inner
/// learning rate(s) and batch statistics as in <see cref="InnerLoopAlgorithm.Adapt"/>; output <c>query_logits</c>
/// (classification) or <c>query_predictions</c> (regression) from the adapted weights. Any ONNX runtime runs it.
/// </summary>
internal static class AdaptiveExport
{
    /// <summary>Builds and writes the adaptive model (atomically, as every export).</summary>
    public static void Write(InnerLoopAlgorithm algorithm, string path, int steps, int opset)
    {
        SequentialModel model = algorithm.Model;
        MetaLearnerOptions options = algorithm.Options;
        bool classification = options.Task == MetaTaskKind.Classification;
        var graph = new OnnxGraphBuilder(model.GetType().Name + "Adaptive", opset)
        {
            DocString = $"{options.Algorithm} adaptation in the graph: {steps} inner steps on support_x/support_y, then query_x. {model.Summary()}",
        };

        OnnxDimension support = OnnxDimension.Symbolic("support"), query = OnnxDimension.Symbolic("query");
        OnnxDimension[] sample = [.. model.InputShape.Select(d => OnnxDimension.Fixed(d))];
        OnnxDimension[] answer = [.. model.OutputShape.Select(d => OnnxDimension.Fixed(d))];
        string supportX = graph.AddInput("support_x", OnnxElementType.Float, [support, .. sample]);
        string supportY = classification
            ? graph.AddInput("support_y", OnnxElementType.Int64, [support])
            : graph.AddInput("support_y", OnnxElementType.Float, [support, .. answer]);
        string queryX = graph.AddInput("query_x", OnnxElementType.Float, [query, .. sample]);
        ImageInputContract? image = model.ImageContract();
        if (image is { NormalizedInGraph: true })
        {
            supportX = SequentialModel.EmitNormalization(graph, supportX, image);
            queryX = SequentialModel.EmitNormalization(graph, queryX, image);
        }

        IReadOnlyList<Layer> layers = model.LogitLayers;
        int firstAdapted = algorithm.FirstAdaptedLayer;
        Layer[] body = [.. layers.Take(firstAdapted)], head = [.. layers.Skip(firstAdapted)];
        int bodyWeights = body.Sum(layer => layer.OwnParameters.Count);
        var weights = model.FunctionalParameters().Zip(model.ParameterDescriptors)
            .Select(p => (Value: graph.AddInitializer(p.Second.Name, OnnxEmitContext.FloatValues(p.First), [.. p.Second.Shape]), Shape: p.Second.Shape))
            .ToArray();

        // The body (ANIL: all but the head) runs with its meta-trained weights; the head adapts. With the support set's
        // statistics, the support set and the queries go through the body, and at the end through the adapted head, as one
        // batch whose batch-norm layers take their statistics from its first rows (the support set's): one pass each
        // instead of one per set; with the queries' own statistics (transductive), each set goes through on its own.
        bool supportStatistics = options.QueryNormalization == QueryNormalization.SupportStatistics;
        string? supportRows = supportStatistics ? graph.AddNode("Slice", [graph.AddNode("Shape", [supportX], "support_shape"),
            graph.AddInitializer("support_rows_start", [0L], 1), graph.AddInitializer("support_rows_end", [1L], 1)], "support_rows") : null;
        string supportFeatures = supportX, queryFeatures = queryX;
        if (body.Length > 0 && supportRows is not null)
        {
            string both = Forward(graph, body, weights[..bodyWeights], Concat(graph, supportX, queryX, "support_query"), "support_query/", forwardOnly: true, supportRows).Output;
            (supportFeatures, queryFeatures) = (Rows(graph, both, null, supportRows, "support_features"), Rows(graph, both, supportRows, null, "query_features"));
        }
        else if (body.Length > 0)
        {
            supportFeatures = Forward(graph, body, weights[..bodyWeights], supportX, "support/", forwardOnly: true).Output;
            queryFeatures = Forward(graph, body, weights[..bodyWeights], queryX, "query/", forwardOnly: true).Output;
        }

        var adapted = weights[bodyWeights..].ToArray();
        for (int step = 1; step <= steps; step++)
        {
            var (output, tape, context) = Forward(graph, head, adapted, supportFeatures, $"step{step}/");
            string lossGradient = classification ? CrossEntropyGradient(context, output, supportY, model.OutputShape[0]) : MeanSquaredErrorGradient(context, output, supportY);
            BlockLayer.Chain(tape, lossGradient, needed: false);
            for (int i = 0; i < adapted.Length; i++)
            {
                if (!context.Gradients.TryGetValue(i, out string? gradient))
                {
                    continue;
                }

                int index = bodyWeights + i;
                string rate = algorithm.LearningRateOf(index) is { } rates
                    ? graph.AddInitializer($"inner_lr.{model.ParameterDescriptors[index].Name}", OnnxEmitContext.FloatValues(rates), rates.shape)
                    : context.Constant($"inner_lr_{i}", (float)options.InnerLearningRate);
                adapted[i].Value = context.Node("Sub", $"{model.ParameterDescriptors[index].Name}", [adapted[i].Value, context.Node("Mul", $"update_{i}", [gradient, rate])]);
            }
        }

        string answers = supportRows is null
            ? Forward(graph, head, adapted, queryFeatures, "query_adapted/", forwardOnly: true).Output
            : Rows(graph, Forward(graph, head, adapted, Concat(graph, supportFeatures, queryFeatures, "support_query_features"), "adapted/", forwardOnly: true, supportRows).Output,
                supportRows, null, "query_answers");
        string outputName = classification ? "query_logits" : "query_predictions";
        graph.AddOutput(graph.AddNode("Identity", [answers], outputName), OnnxElementType.Float, [query, .. answer]);

        graph.SetMetadata(SharpShotMetadata.ModelName, model.GetType().FullName ?? model.GetType().Name);
        graph.SetMetadata(SharpShotMetadata.InputShape, string.Join(",", model.InputShape));
        graph.SetMetadata(SharpShotMetadata.Output, classification ? "logits" : "predictions");
        graph.SetMetadata(SharpShotMetadata.Adaptation, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["algorithm"] = options.Algorithm.ToString(),
            ["task"] = options.Task.ToString(),
            ["steps"] = steps,
            ["inner_learning_rate"] = options.InnerLearningRate,
            ["learned_rates"] = algorithm.LearningRateOf(0) is not null,
            ["adapted_layers"] = head.Length,
            ["ways"] = model.OutputShape[0],
            ["query_normalization"] = options.QueryNormalization.ToString(),
        }));
        if (image is not null)
        {
            graph.SetMetadata(SharpShotMetadata.InputImage, image.ToJson());
        }

        graph.Save(path);
    }

    /// <summary>Emits <paramref name="layers"/> differentiably on <paramref name="weights"/>; the output, each layer's backward rule, and the context holding the gradients.</summary>
    private static (string Output, List<DifferentiableOutput> Tape, DifferentiableEmitContext Context) Forward(
        OnnxGraphBuilder graph, IReadOnlyList<Layer> layers, IReadOnlyList<(string Value, IReadOnlyList<long> Shape)> weights, string input, string prefix,
        bool forwardOnly = false, string? statisticsRows = null)
    {
        // Batch statistics, as the inner loop runs (InnerLoopAlgorithm.Forward): the batch's, or its first rows'.
        var context = new DifferentiableEmitContext(graph, weights, training: true, prefix, forwardOnly, statisticsRows);
        List<DifferentiableOutput> tape = BlockLayer.EmitSequence(context, layers, input);
        context.EnsureConsumed();
        return (tape.Count == 0 ? input : tape[^1].Output, tape, context);
    }

    /// <summary><paramref name="first"/> with <paramref name="second"/>'s rows after its own.</summary>
    private static string Concat(OnnxGraphBuilder graph, string first, string second, string name) =>
        graph.AddNode("Concat", [first, second], name, OnnxAttribute.Int("axis", 0));

    /// <summary>Rows [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="value"/> (int64 [1] values; null: from the first, to the last).</summary>
    private static string Rows(OnnxGraphBuilder graph, string value, string? start, string? end, string name) =>
        graph.AddNode("Slice", [value, start ?? graph.AddInitializer($"{name}_start", [0L], 1), end ?? graph.AddInitializer($"{name}_end", [long.MaxValue], 1),
            graph.AddInitializer($"{name}_axis", [0L], 1)], name);

    /// <summary>∂/∂logits of the mean cross-entropy: (softmax(logits) − one-hot(labels)) / count.</summary>
    private static string CrossEntropyGradient(DifferentiableEmitContext context, string logits, string labels, int ways)
    {
        string probabilities = context.Node("Softmax", "loss_probabilities", [logits], OnnxAttribute.Int("axis", -1));
        string oneHot = context.Node("OneHot", "loss_one_hot", [labels, context.Graph.AddInitializer(context.Name("loss_ways"), [(long)ways]),
            context.Graph.AddInitializer(context.Name("loss_one_hot_values"), [0f, 1f], 2)], OnnxAttribute.Int("axis", -1));
        return context.Node("Div", "loss_grad", [context.Node("Sub", "loss_residual", [probabilities, oneHot]), context.ShapeProduct("loss_count", logits, 0, 1)]);
    }

    /// <summary>∂/∂predictions of the mean squared error over every element: 2·(predictions − targets) / count.</summary>
    private static string MeanSquaredErrorGradient(DifferentiableEmitContext context, string predictions, string targets)
    {
        string residual = context.Node("Sub", "loss_residual", [predictions, targets]);
        string size = context.ShapeProduct("loss_count", predictions, 0, long.MaxValue);
        return context.Node("Div", "loss_grad", [context.Node("Mul", "loss_twice", [residual, context.Constant("loss_two", 2f)]), size]);
    }

}
