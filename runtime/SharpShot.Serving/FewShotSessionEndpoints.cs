using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using SharpShot.Imaging;
using SharpShot.Inference;

namespace SharpShot.Serving;

/// <summary>
/// Few-shot sessions over an image embedding model (a Prototypical-Networks backbone, as <c>examples/FewShot</c> exports):
/// <list type="bullet">
/// <item><c>POST /v1/models/{name}/sessions</c> with labelled example images → 201 and the session (<c>id</c>, classes);
/// the examples as <c>multipart/form-data</c> (files <c>image</c> and texts <c>label</c>, paired in order, as a browser form
/// sends them) or JSON <c>{"examples": [{"label": "cat", "image": "&lt;base64&gt;"}]}</c>.</item>
/// <item><c>GET /v1/models/{name}/sessions/{id}</c> → the session.</item>
/// <item><c>POST /v1/models/{name}/sessions/{id}/classify[?top=K]</c> with an image (as <c>/v1/models/{name}/classify</c>
/// takes it) → the nearest classes with probabilities (softmax over negative squared distances to the prototypes), the
/// distance to the nearest prototype and <c>unknown</c>: whether it is beyond <see cref="PrototypeSet.RejectionDistance"/>.</item>
/// <item><c>DELETE /v1/models/{name}/sessions/{id}</c> → 204.</item>
/// </list>
/// Bounded by <see cref="FewShotSessionOptions"/>: 503 with Retry-After when the most sessions are alive, 404 for an unknown or
/// expired session, 409 when the model was reloaded since the session was made (its prototypes belong to the old version).
/// </summary>
internal static class FewShotSessionEndpoints
{
    /// <summary>Maps the routes under <c>/v1</c> (<see cref="SharpShotEndpoints.MapSharpShot"/> calls it).</summary>
    internal static void Map(IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder sessions = endpoints.MapGroup("/v1/models/{name}/sessions");
        sessions.MapPost("", Create);
        sessions.MapGet("/{id}", Get);
        sessions.MapPost("/{id}/classify", Classify);
        sessions.MapDelete("/{id}", Delete);
    }

    private sealed record Example(string Label, byte[] Image, string Field);

    private static IResult Bad(string title, string detail, string field) => ProblemResults.Problem(StatusCodes.Status400BadRequest, title, detail, field);

    private static object Describe(FewShotSession session, FewShotSessions sessions) => new
    {
        id = session.Id,
        model = session.ModelName,
        classes = session.Prototypes.Classes.Select((label, c) => new { label, examples = session.Prototypes.SupportCounts[c] }).ToArray(),
        idleTimeoutSeconds = sessions.Options.IdleTimeoutSeconds,
    };

    private static IResult NoSession(string name, string id) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, "Unknown session", $"Model '{name}' has no session '{id}' (never made, deleted, or expired after being unused).", "id");

    private static async Task<IResult> Create(string name, HttpContext context, ModelRegistry registry, FewShotSessions sessions)
    {
        if (!registry.IsConfigured(name))
        {
            return ProblemResults.UnknownModel(name);
        }

        var (examples, problem) = await ReadExamples(context, registry.Options.MaxRequestBytes, sessions.Options);
        if (examples is null)
        {
            return problem!;
        }

        int current = -1;
        try
        {
            return registry.Use(name, model =>
            {
                if (EmbeddingObstacle(model, name) is { } obstacle)
                {
                    return obstacle;
                }

                var inputs = new float[(long)examples.Count * model.InputLength];
                for (current = 0; current < examples.Count; current++)
                {
                    model.ImageToInput(examples[current].Image).CopyTo(inputs.AsSpan(current * model.InputLength));
                }

                current = -1;
                var embeddings = new float[(long)examples.Count * model.OutputLength];
                model.PredictMany(inputs, examples.Count, embeddings);
                PrototypeSet prototypes;
                try
                {
                    prototypes = PrototypeSet.FromEmbeddings(embeddings, model.OutputLength, examples.Select(e => e.Label).ToArray());
                }
                catch (ArgumentException e)
                {
                    return Bad("Unusable example", e.Message, "image");
                }

                FewShotSession session = sessions.Create(name, model, prototypes);
                return Results.Created($"{context.Request.PathBase}/v1/models/{Uri.EscapeDataString(name)}/sessions/{session.Id}", Describe(session, sessions));
            });
        }
        catch (SessionLimitException e)
        {
            context.Response.Headers.RetryAfter = "1";
            return ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, "Too many sessions", e.Message, "sessions");
        }
        catch (Exception e) when (ProblemResults.IsImageFailure(e))
        {
            return ProblemResults.ImageFailure(e, examples[Math.Max(current, 0)].Field);
        }
    }

    private static IResult Get(string name, string id, ModelRegistry registry, FewShotSessions sessions)
    {
        if (!registry.IsConfigured(name))
        {
            return ProblemResults.UnknownModel(name);
        }

        return sessions.TryUse(name, id, out FewShotSession session) ? Results.Json(Describe(session, sessions)) : NoSession(name, id);
    }

    private static IResult Delete(string name, string id, ModelRegistry registry, FewShotSessions sessions)
    {
        if (!registry.IsConfigured(name))
        {
            return ProblemResults.UnknownModel(name);
        }

        return sessions.Remove(name, id) ? Results.NoContent() : NoSession(name, id);
    }

    private static async Task<IResult> Classify(string name, string id, int? top, HttpContext context, ModelRegistry registry, FewShotSessions sessions)
    {
        if (!registry.IsConfigured(name))
        {
            return ProblemResults.UnknownModel(name);
        }

        if (top is < 1)
        {
            return ProblemResults.BadTop(top);
        }

        if (!sessions.TryUse(name, id, out FewShotSession session))
        {
            return NoSession(name, id);
        }

        var (image, problem) = await ImageRequest.ReadAsync(context, registry.Options.MaxRequestBytes);
        if (image is null)
        {
            return problem!;
        }

        try
        {
            return registry.Use(name, model =>
            {
                if (!session.IsBuiltOn(model))
                {
                    return ProblemResults.Problem(StatusCodes.Status409Conflict, "Session outdated",
                        $"Model '{name}' was reloaded after session '{id}' was made, so its prototypes belong to the old version; make the session again.", "id");
                }

                float[] embedding = model.PredictImage(image);
                PrototypeSet prototypes = session.Prototypes;
                var probabilities = new float[prototypes.Classes.Count];
                prototypes.Score(embedding, 1, default, probabilities);
                int[] nearest = new int[1];
                float[] distance = new float[1];
                prototypes.Nearest(embedding, 1, prototypes.RejectionDistance, nearest, distance);
                return Results.Json(new
                {
                    model = name,
                    session = id,
                    predictions = ClassifyEndpoint.Top(probabilities, prototypes.Classes, top ?? 5),
                    // Far from every prototype (beyond the distance calibrated from the examples): likely none of the classes.
                    unknown = nearest[0] < 0,
                    distance = float.IsFinite(distance[0]) ? distance[0] : (float?)null,
                    rejectionDistance = double.IsFinite(prototypes.RejectionDistance) ? prototypes.RejectionDistance : (double?)null,
                });
            });
        }
        catch (Exception e) when (ProblemResults.IsImageFailure(e))
        {
            return ProblemResults.ImageFailure(e, "body");
        }
    }

    /// <summary>Why the model cannot embed images for a session; null when it can.</summary>
    private static IResult? EmbeddingObstacle(OnnxModel model, string name)
    {
        if (model.ImageInput is null)
        {
            return Bad("Not an image model", $"Model '{name}' does not describe an image input (no 'sharpshot.input_image' metadata), so it cannot embed example images.", "name");
        }

        return model.SupportsFloatApi && model.OutputShape.Count == 1
            ? null
            : Bad("Not an embedding model", $"Model '{name}' does not give one vector per image (its output's per-sample shape is [{string.Join(", ", model.OutputShape)}]).", "name");
    }

    /// <summary>The labelled examples from a multipart form or JSON, or the problem to answer with.</summary>
    private static async Task<(List<Example>? Examples, IResult? Problem)> ReadExamples(HttpContext context, long maxRequestBytes, FewShotSessionOptions options)
    {
        if (context.Request.HasFormContentType)
        {
            return await ReadForm(context, maxRequestBytes, options);
        }

        if (!ImageRequest.IsJson(context.Request))
        {
            return (null, ProblemResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported body",
                $"Content-Type '{context.Request.ContentType}' is not accepted; send multipart/form-data (files 'image', texts 'label') or application/json ({{\"examples\": [{{\"label\", \"image\"}}]}}).", "body"));
        }

        var (body, status, refused) = await RequestBody.ReadAsync(context, maxRequestBytes);
        if (body is null)
        {
            return (null, ProblemResults.Problem(status, status == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Unreadable body", refused!, "body"));
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("examples", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                return (null, Bad("Bad request", "The body needs \"examples\": an array of {\"label\": \"...\", \"image\": \"<base64>\"}.", "examples"));
            }

            if (CountProblem(list.GetArrayLength(), "examples", options) is { } countProblem)
            {
                return (null, countProblem);
            }

            var examples = new List<Example>();
            int index = 0;
            foreach (JsonElement item in list.EnumerateArray())
            {
                string field = $"examples[{index++}]";
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("label", out JsonElement label) || label.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("image", out JsonElement image))
                {
                    return (null, Bad("Bad example", $"{field} must be an object with a string \"label\" and a base64 \"image\".", field));
                }

                if (LabelProblem(label.GetString()!, $"{field}.label", options) is { } labelProblem)
                {
                    return (null, labelProblem);
                }

                var (bytes, imageProblem) = ImageRequest.Base64(image, $"{field}.image");
                if (bytes is null)
                {
                    return (null, imageProblem);
                }

                examples.Add(new Example(label.GetString()!, bytes, $"{field}.image"));
            }

            return (examples, null);
        }
        catch (JsonException e)
        {
            return (null, Bad("Bad JSON", $"The request body is not valid JSON: {e.Message}", "body"));
        }
    }

    private static async Task<(List<Example>? Examples, IResult? Problem)> ReadForm(HttpContext context, long maxRequestBytes, FewShotSessionOptions options)
    {
        if (RequestBody.Limit(context, maxRequestBytes) is { } declaredTooLarge)
        {
            return (null, ProblemResults.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", declaredTooLarge, "body"));
        }

        // The form reader's own bounds, so a hostile form stops early: as many values as examples allow, the body limit.
        context.Features.Set<IFormFeature>(new FormFeature(context.Request, new Microsoft.AspNetCore.Http.Features.FormOptions
        {
            MultipartBodyLengthLimit = maxRequestBytes,
            ValueCountLimit = 2 * options.MaxExamples + 8,
            ValueLengthLimit = Math.Max(options.MaxLabelLength * 4, 1024),
            MultipartHeadersCountLimit = 16,
        }));
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ProblemResults.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", RequestBody.OverLimit(maxRequestBytes), "body"));
        }
        catch (InvalidDataException e)
        {
            return (null, Bad("Bad form", $"The multipart form cannot be read: {e.Message}", "body"));
        }

        IReadOnlyList<IFormFile> files = form.Files.GetFiles("image");
        var labels = form["label"];
        if (CountProblem(files.Count, "image", options) is { } countProblem)
        {
            return (null, countProblem);
        }

        if (labels.Count != files.Count)
        {
            return (null, Bad("Unpaired examples", $"The form has {files.Count} 'image' files and {labels.Count} 'label' values; send one label per image, in the same order.", "label"));
        }

        var examples = new List<Example>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            if (LabelProblem(labels[i] ?? string.Empty, $"label[{i}]", options) is { } labelProblem)
            {
                return (null, labelProblem);
            }

            if (files[i].Length > ImageLimits.Default.MaxFileBytes)
            {
                return (null, ProblemResults.Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", $"File {i} ('{files[i].FileName}') is {files[i].Length:N0} bytes; at most {ImageLimits.Default.MaxFileBytes:N0} are accepted.", $"image[{i}]"));
            }

            using var stream = new MemoryStream((int)files[i].Length);
            await files[i].CopyToAsync(stream, context.RequestAborted);
            examples.Add(new Example(labels[i]!, stream.ToArray(), $"image[{i}]"));
        }

        return (examples, null);
    }

    private static IResult? CountProblem(int count, string field, FewShotSessionOptions options) =>
        count == 0 ? Bad("No examples", "A session needs at least one labelled example image.", field)
        : count > options.MaxExamples ? ProblemResults.Problem(StatusCodes.Status413PayloadTooLarge, "Too many examples", $"{count} examples were sent; a session holds at most {options.MaxExamples}.", field)
        : null;

    private static IResult? LabelProblem(string label, string field, FewShotSessionOptions options) =>
        string.IsNullOrWhiteSpace(label) ? Bad("Bad label", $"{field} is empty; every example needs a class label.", field)
        : label.Length > options.MaxLabelLength ? Bad("Bad label", $"{field} has {label.Length} characters; at most {options.MaxLabelLength} are accepted.", field)
        : null;
}
