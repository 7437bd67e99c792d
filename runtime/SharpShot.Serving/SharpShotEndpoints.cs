using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SharpShot.Inference;
using SharpShot.Onnx;

namespace SharpShot.Serving;

/// <summary>
/// The Open Inference Protocol's REST routes (KServe v2, what Triton's and KServe's clients speak), JSON tensors:
/// server metadata and health, model metadata and readiness, inference. Errors answer with the protocol's
/// <c>{"error": "..."}</c>: 400 for a request it cannot accept, 404 for an unknown model or version, 413 for a body
/// over <see cref="SharpShotServingOptions.MaxRequestBytes"/>.
/// </summary>
public static class SharpShotEndpoints
{
    /// <summary>The version every served model has (one file, one version).</summary>
    public const string ModelVersion = "1";

    private static readonly string ServerVersion = typeof(SharpShotEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    /// <summary>
    /// Maps the Open Inference Protocol routes under <c>/v2</c> and the convenience routes under <c>/v1</c>
    /// (<see cref="ClassifyEndpoint"/>, <see cref="FewShotSessionEndpoints"/>, <see cref="ModelListEndpoint"/>), and returns the group holding both, so the app
    /// adds authorization, rate limiting or CORS the usual way.
    /// </summary>
    public static RouteGroupBuilder MapSharpShot(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RouteGroupBuilder root = endpoints.MapGroup(string.Empty);
        MapOpenInferenceProtocol(root);
        ClassifyEndpoint.Map(root);
        FewShotSessionEndpoints.Map(root);
        ModelListEndpoint.Map(root);
        return root;
    }

    private static void MapOpenInferenceProtocol(IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder v2 = endpoints.MapGroup("/v2");
        v2.MapGet("", () => Results.Json(new { name = "sharpshot", version = ServerVersion, extensions = new[] { "binary_tensor_data" } }));
        v2.MapGet("/health/live", () => Results.Json(new { live = true }));
        v2.MapGet("/health/ready", (ModelRegistry registry) =>
            registry.AllReady ? Results.Json(new { ready = true }) : Results.Json(new { ready = false }, statusCode: StatusCodes.Status400BadRequest));
        v2.MapGet("/models/{name}", (string name, ModelRegistry registry) => Metadata(registry, name, null));
        v2.MapGet("/models/{name}/versions/{version}", (string name, string version, ModelRegistry registry) => Metadata(registry, name, version));
        v2.MapGet("/models/{name}/ready", (string name, ModelRegistry registry) => Ready(registry, name, null));
        v2.MapGet("/models/{name}/versions/{version}/ready", (string name, string version, ModelRegistry registry) => Ready(registry, name, version));
        v2.MapPost("/models/{name}/infer", (string name, HttpContext context, ModelRegistry registry) => Measured(context, registry, name, null));
        v2.MapPost("/models/{name}/versions/{version}/infer", (string name, string version, HttpContext context, ModelRegistry registry) => Measured(context, registry, name, version));
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    /// <summary>The model, or the protocol's error for an unknown name or version, or one that did not load.</summary>
    private static (OnnxModel? Model, IResult? Error) Find(ModelRegistry registry, string name, string? version)
    {
        if (!registry.IsConfigured(name))
        {
            return (null, Error(StatusCodes.Status404NotFound, $"Unknown model '{name}'; this server serves {string.Join(", ", registry.Names.Select(n => $"'{n}'"))}."));
        }

        if (version is not null && version != ModelVersion)
        {
            return (null, Error(StatusCodes.Status404NotFound, $"Model '{name}' has no version '{version}'; it has version '{ModelVersion}'."));
        }

        return registry.TryGet(name, out OnnxModel model)
            ? (model, null)
            : (null, Error(StatusCodes.Status400BadRequest, $"Model '{name}' is not ready: {registry.FailureOf(name)}"));
    }

    private static IResult Metadata(ModelRegistry registry, string name, string? version)
    {
        var (model, error) = Find(registry, name, version);
        if (model is null)
        {
            return error!;
        }

        static object Tensor(OnnxValueInfo value) => new
        {
            name = value.Name,
            datatype = InferenceJson.DataTypeOf(value.ElementType) ?? value.ElementType.ToString().ToUpperInvariant(),
            shape = value.Shape.Select(d => d.Value ?? -1).ToArray(),
        };

        return Results.Json(new
        {
            name,
            versions = new[] { ModelVersion },
            platform = "onnxruntime_onnx",
            inputs = model.Inputs.Select(Tensor).ToArray(),
            outputs = model.Outputs.Select(Tensor).ToArray(),
        });
    }

    private static IResult Ready(ModelRegistry registry, string name, string? version)
    {
        if (!registry.IsConfigured(name) || (version is not null && version != ModelVersion))
        {
            return Find(registry, name, version).Error!;
        }

        bool ready = registry.TryGet(name, out _);
        return Results.Json(new { name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>Answers an inference request and records it in <see cref="ServingMetrics"/>.</summary>
    private static async Task<IResult> Measured(HttpContext context, ModelRegistry registry, string name, string? version)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        IResult result = await Infer(context, registry, name, version);
        int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        var model = new KeyValuePair<string, object?>("model", name);
        ServingMetrics.Requests.Add(1, model, new KeyValuePair<string, object?>("status", status));
        ServingMetrics.RequestDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds, model);
        return result;
    }

    private static async Task<IResult> Infer(HttpContext context, ModelRegistry registry, string name, string? version)
    {
        var (model, error) = Find(registry, name, version);
        if (model is null)
        {
            return error!;
        }

        var (body, status, refused) = await RequestBody.ReadAsync(context, registry.Options.MaxRequestBytes);
        if (body is null)
        {
            return Error(status, refused!);
        }

        InferenceRequest request;
        try
        {
            request = InferenceJson.Parse(body, HeaderLength(context), OnnxModelOptions.DefaultMaxTensorElements);
        }
        catch (InferenceRequestException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }

        IReadOnlyDictionary<string, OnnxTensor> outputs;
        try
        {
            outputs = await registry.Run(name, request.Inputs, request.Outputs, context.RequestAborted);
        }
        catch (QueueFullException e)
        {
            context.Response.Headers.RetryAfter = "1";
            return Error(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (ObjectDisposedException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, $"Model '{name}' is shutting down.");
        }
        catch (Exception e) when (e is ArgumentException or ShapeMismatchException or LimitExceededException or InvalidOperationException)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }

        return new InferenceResult(name, request, outputs);
    }

    /// <summary>The JSON header's length when binary tensor data follows it; null when the whole body is JSON.</summary>
    private static long? HeaderLength(HttpContext context)
    {
        string? header = context.Request.Headers[InferenceJson.HeaderLengthHeader];
        if (header is null)
        {
            return null;
        }

        return long.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length)
            ? length
            : throw new InferenceRequestException($"{InferenceJson.HeaderLengthHeader} is '{header}'; expected the JSON header's length in bytes.");
    }

    /// <summary>
    /// Writes the response: JSON streamed as it is built when every output is JSON; otherwise the JSON header (its length
    /// in <c>Inference-Header-Content-Length</c>) followed by the binary outputs' bytes in output order.
    /// </summary>
    private sealed class InferenceResult(string modelName, InferenceRequest request, IReadOnlyDictionary<string, OnnxTensor> outputs) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            HttpResponse response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            OnnxTensor[] binary = outputs.Where(o => request.WantsBinary(o.Key)).Select(o => o.Value).ToArray();
            if (binary.Length == 0)
            {
                response.ContentType = "application/json";
                await using var streamed = new Utf8JsonWriter(response.Body);
                InferenceJson.WriteResponse(streamed, modelName, request.Id, outputs, request.WantsBinary);
                await streamed.FlushAsync(httpContext.RequestAborted);
                return;
            }

            var header = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(header))
            {
                InferenceJson.WriteResponse(writer, modelName, request.Id, outputs, request.WantsBinary);
            }

            response.ContentType = "application/octet-stream";
            response.Headers[InferenceJson.HeaderLengthHeader] = header.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.ContentLength = header.WrittenCount + binary.Sum(t => t.ByteCount);
            await response.Body.WriteAsync(header.WrittenMemory, httpContext.RequestAborted);
            foreach (OnnxTensor tensor in binary)
            {
                var bytes = new byte[tensor.ByteCount];
                tensor.CopyBytesTo(bytes);
                await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
            }
        }
    }
}
