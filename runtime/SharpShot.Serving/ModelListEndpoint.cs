using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// <c>GET /v1/models</c>: the served models and what the <c>/v1</c> routes can do with each — whether it is ready (and why
/// not), whether it takes images (<c>imageInput</c>), its class labels and the per-sample shape of its output (one axis:
/// usable as a few-shot embedding). The Open Inference Protocol has no model list; this is what a page or tool needs.
/// </summary>
internal static class ModelListEndpoint
{
    /// <summary>Maps the route (<see cref="SharpShotEndpoints.MapSharpShot"/> calls it).</summary>
    internal static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/v1/models", (ModelRegistry registry) => Results.Json(new { models = registry.Names.Select(name => Describe(registry, name)).ToArray() }));

    private static object Describe(ModelRegistry registry, string name)
    {
        if (!registry.TryGet(name, out OnnxModel model))
        {
            return new { name, ready = false, error = registry.FailureOf(name) };
        }

        return new
        {
            name,
            ready = true,
            imageInput = model.ImageInput is not null,
            classLabels = model.ClassLabels,
            outputShape = model.SupportsFloatApi ? model.OutputShape : null,
        };
    }
}
