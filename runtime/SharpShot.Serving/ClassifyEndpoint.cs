using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SharpShot.Imaging;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// <c>POST /v1/models/{name}/classify[?top=K]</c>: an image file as the body (PNG, JPEG or BMP) → the top K labels with
/// probabilities, for image classifiers whose metadata describes their input (as SharpShot's exports do). Errors are
/// problem details (RFC 9457) naming the field: 404 unknown model, 400 not a decodable image or a model without an image
/// input, 413 a body or an image beyond the limits (a decompression bomb is refused from its header).
/// </summary>
internal static class ClassifyEndpoint
{
    /// <summary>Maps the route under <c>/v1</c> (<see cref="SharpShotEndpoints.MapSharpShot"/> calls it).</summary>
    internal static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGroup("/v1").MapPost("/models/{name}/classify", Classify);

    private static IResult Problem(int status, string title, string detail, string field) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["field"] = field });

    private static async Task<IResult> Classify(string name, HttpContext context, ModelRegistry registry, int? top)
    {
        if (!registry.IsConfigured(name))
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown model", $"This server serves no model '{name}'.", "name");
        }

        if (top is < 1)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad query", $"top must be at least 1; got {top}.", "top");
        }

        var (body, status, refused) = await RequestBody.ReadAsync(context, Math.Min(registry.Options.MaxRequestBytes, ImageLimits.Default.MaxFileBytes));
        if (body is null)
        {
            return Problem(status, status == StatusCodes.Status413PayloadTooLarge ? "Image too large" : "Unreadable body", refused!, "body");
        }

        try
        {
            return registry.Use(name, model =>
            {
                if (model.ImageInput is null)
                {
                    return Problem(StatusCodes.Status400BadRequest, "Not an image model",
                        $"Model '{name}' does not describe an image input (no 'sharpshot.input_image' metadata); use /v2/models/{name}/infer with tensors.", "name");
                }

                float[] probabilities = model.ToProbabilities(model.PredictImage(body));
                var predictions = Enumerable.Range(0, probabilities.Length)
                    .OrderByDescending(i => probabilities[i]).ThenBy(i => i)
                    .Take(top ?? 5)
                    .Select(i => new { label = i < model.ClassLabels.Count ? model.ClassLabels[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture), probability = probabilities[i] })
                    .ToArray();
                return Results.Json(new { model = name, predictions });
            });
        }
        catch (ImageLimitException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", e.Reason + $" ({e.LimitName})", "body");
        }
        catch (ImageDecodeException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not an image", e.Reason, "body");
        }
        catch (InvalidOperationException e) when (e is not ObjectDisposedException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Model not ready", e.Message, "name");
        }
    }
}
