using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SharpShot.Imaging;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// <c>POST /v1/models/{name}/classify[?top=K]</c>: an image file as the body (PNG, JPEG or BMP; or JSON
/// <c>{"image": "&lt;base64&gt;"}</c>) → the top K labels with
/// probabilities, for image classifiers whose metadata describes their input (as SharpShot's exports do). Errors are
/// problem details (RFC 9457) naming the field: 404 unknown model, 400 not a decodable image or a model without an image
/// input, 413 a body or an image beyond the limits (a decompression bomb is refused from its header).
/// </summary>
internal static class ClassifyEndpoint
{
    /// <summary>Maps the route under <c>/v1</c> (<see cref="SharpShotEndpoints.MapSharpShot"/> calls it).</summary>
    internal static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGroup("/v1").MapPost("/models/{name}/classify", Classify);

    private static async Task<IResult> Classify(string name, HttpContext context, ModelRegistry registry, int? top)
    {
        if (!registry.IsConfigured(name))
        {
            return ProblemResults.UnknownModel(name);
        }

        if (top is < 1)
        {
            return ProblemResults.BadTop(top);
        }

        var (body, problem) = await ImageRequest.ReadAsync(context, registry.Options.MaxRequestBytes);
        if (body is null)
        {
            return problem!;
        }

        try
        {
            return registry.Use(name, model =>
            {
                if (model.ImageInput is null)
                {
                    return ProblemResults.Problem(StatusCodes.Status400BadRequest, "Not an image model",
                        $"Model '{name}' does not describe an image input (no 'sharpshot.input_image' metadata); use /v2/models/{name}/infer with tensors.", "name");
                }

                float[] probabilities = model.ToProbabilities(model.PredictImage(body));
                return Results.Json(new { model = name, predictions = Top(probabilities, model.ClassLabels, top ?? 5) });
            });
        }
        catch (Exception e) when (ProblemResults.IsImageFailure(e))
        {
            return ProblemResults.ImageFailure(e, "body");
        }
    }

    /// <summary>A JSON prediction: a class's label and probability (null when the model gave no finite number: JSON has no NaN).</summary>
    internal sealed record Prediction(string Label, float? Probability);

    /// <summary>The <paramref name="count"/> most probable classes, most probable first (ties by index); classes without a label are named by index.</summary>
    internal static Prediction[] Top(ReadOnlySpan<float> probabilities, IReadOnlyList<string> labels, int count)
    {
        float[] values = probabilities.ToArray();
        return Enumerable.Range(0, values.Length)
            .OrderByDescending(i => float.IsNaN(values[i]) ? float.NegativeInfinity : values[i]).ThenBy(i => i)
            .Take(count)
            .Select(i => new Prediction(i < labels.Count ? labels[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture), float.IsFinite(values[i]) ? values[i] : null))
            .ToArray();
    }
}
