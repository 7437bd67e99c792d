using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharpShot.Onnx;

namespace SharpShot.Serving.Tests;

/// <summary>
/// <c>examples/Serve</c> (an app of <c>AddSharpShot</c> + <c>MapSharpShot</c>) through <c>WebApplicationFactory</c> on an
/// in-memory test server, serving the models a test gives.
/// </summary>
internal sealed class Server : IAsyncDisposable
{
    private readonly WebApplicationFactory<Serve.ServeApp> _factory;
    private readonly TempFolder _folder;

    private Server(WebApplicationFactory<Serve.ServeApp> factory, TempFolder folder)
    {
        _factory = factory;
        _folder = folder;
        Client = factory.CreateClient();
    }

    public HttpClient Client { get; }

    public ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    public IServiceProvider Services => _factory.Services;

    /// <summary>The file a model is served from.</summary>
    public string PathOf(string name) => _folder.File($"{name}.onnx");

    /// <summary>Replaces a model's file the safe way: written beside it, then renamed over it.</summary>
    public void Replace(string name, byte[] model)
    {
        string temporary = _folder.File($"{name}.onnx.new");
        File.WriteAllBytes(temporary, model);
        File.Move(temporary, PathOf(name), overwrite: true);
    }

    /// <summary>Serves <paramref name="models"/> (name → ONNX bytes; null bytes name a missing file).</summary>
    public static Task<Server> Start(IReadOnlyDictionary<string, byte[]?> models, long? maxRequestBytes = null, BatchingOptions? batching = null, int reloadPollMilliseconds = 0,
        Action<SharpShotServingOptions>? configure = null, TimeProvider? time = null)
    {
        var folder = new TempFolder();
        var factory = new WebApplicationFactory<Serve.ServeApp>().WithWebHostBuilder(host =>
        {
            host.ConfigureLogging(logging => logging.ClearProviders());
            host.ConfigureServices(services =>
            {
                services.Configure<SharpShotServingOptions>(options =>
                {
                    foreach (var (name, bytes) in models)
                    {
                        string path = bytes is null ? folder.File($"{name}-missing.onnx") : folder.WriteBytes($"{name}.onnx", bytes);
                        options.Models.Add(new ServedModelOptions { Name = name, Path = path, Batching = batching });
                    }

                    options.MaxRequestBytes = maxRequestBytes ?? SharpShotServingOptions.DefaultMaxRequestBytes;
                    options.ReloadPollMilliseconds = reloadPollMilliseconds;
                    configure?.Invoke(options);
                });
                if (time is not null)
                {
                    services.AddSingleton(time);
                }
            });
        });
        return Task.FromResult(new Server(factory, folder));
    }

    public async Task<(int Status, JsonElement Body)> Get(string path)
    {
        using var response = await Client.GetAsync(path);
        return ((int)response.StatusCode, await Json(response));
    }

    public async Task<(int Status, JsonElement Body)> Post(string path, string json)
    {
        using var response = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await Json(response));
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>y = scale·x + 1 over x [N, 3] (float), and z = x > 0 (bool).</summary>
    public static byte[] Affine(float scale = 2f)
    {
        var batch = OnnxDimension.Symbolic("N");
        var b = new OnnxGraphBuilder("affine");
        var x = b.AddInput("x", OnnxElementType.Float, [batch, 3]);
        var two = b.AddInitializer("two", [scale]);
        var one = b.AddInitializer("one", [1f]);
        var zero = b.AddInitializer("zero", [0f]);
        var y = b.AddNode("Add", [b.AddNode("Mul", [x, two], "scaled"), one], "y");
        var z = b.AddNode("Greater", [x, zero], "z");
        b.AddOutput(y, OnnxElementType.Float, [batch, 3]);
        b.AddOutput(z, OnnxElementType.Bool, [batch, 3]);
        return b.ToBytes();
    }

    /// <summary>
    /// A 2-class image classifier on [N, 1, 4, 4] raw pixels ("dark" scores darkness, "light" brightness; Softmax), with
    /// an image contract and class labels, as SharpShot exports.
    /// </summary>
    public static byte[] DarkOrLight()
    {
        var batch = OnnxDimension.Symbolic("N");
        var b = new OnnxGraphBuilder("dark-or-light");
        var x = b.AddInput("input", OnnxElementType.Float, [batch, 1, 4, 4]);
        var flat = b.AddNode("Reshape", [x, b.AddInitializer("shape", [0L, 16L], 2)], "flat");
        var w = b.AddInitializer("w", Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? -1f / 255 : 1f / 255).ToArray(), 16, 2);
        var logits = b.AddNode("Gemm", [flat, w, b.AddInitializer("b", [8f, -8f], 2)], "logits");
        b.AddOutput(b.AddNode("Softmax", [logits], "probabilities"), OnnxElementType.Float, [batch, 2]);
        b.SetMetadata(SharpShotMetadata.ClassLabels, "[\"dark\",\"light\"]");
        b.SetMetadata(SharpShotMetadata.Output, "probabilities");
        b.SetMetadata(SharpShotMetadata.InputImage, new ImageInputContract(1, 4, 4, [1], [0], normalizedInGraph: true).ToJson());
        return b.ToBytes();
    }

    /// <summary>
    /// An image embedding for few-shot sessions on [N, 1, 4, 4] raw pixels → [N, 2]: the mean brightness (0–1) and the left
    /// half's brightness minus the right half's, with an image contract as SharpShot exports.
    /// </summary>
    public static byte[] Brightness()
    {
        var batch = OnnxDimension.Symbolic("N");
        var b = new OnnxGraphBuilder("brightness");
        var x = b.AddInput("input", OnnxElementType.Float, [batch, 1, 4, 4]);
        var flat = b.AddNode("Reshape", [x, b.AddInitializer("shape", [0L, 16L], 2)], "flat");
        var w = b.AddInitializer("w", Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? 1f / (16 * 255) : (i / 2 % 4 < 2 ? 1f : -1f) / (8 * 255)).ToArray(), 16, 2);
        var embedding = b.AddNode("MatMul", [flat, w], "embedding");
        b.AddOutput(embedding, OnnxElementType.Float, [batch, 2]);
        b.SetMetadata(SharpShotMetadata.InputImage, new ImageInputContract(1, 4, 4, [1], [0], normalizedInGraph: true).ToJson());
        return b.ToBytes();
    }

    /// <summary>ids (int64 [N, "seq"]) + pixels (uint8, same shape) + h (float16) → sum as float, and the ids doubled (int64).</summary>
    public static byte[] Mixed()
    {
        var batch = OnnxDimension.Symbolic("N");
        var seq = OnnxDimension.Symbolic("seq");
        var b = new OnnxGraphBuilder("mixed");
        var ids = b.AddInput("ids", OnnxElementType.Int64, [batch, seq]);
        var pixels = b.AddInput("pixels", OnnxElementType.Uint8, [batch, seq]);
        var h = b.AddInput("h", OnnxElementType.Float16, [batch, seq]);
        var sum = b.AddNode("Sum", [
            b.AddNode("Cast", [ids], "a", OnnxAttribute.Int("to", (long)OnnxElementType.Float)),
            b.AddNode("Cast", [pixels], "b", OnnxAttribute.Int("to", (long)OnnxElementType.Float)),
            b.AddNode("Cast", [h], "c", OnnxAttribute.Int("to", (long)OnnxElementType.Float))], "sum");
        var doubled = b.AddNode("Add", [ids, ids], "doubled");
        b.AddOutput(sum, OnnxElementType.Float, [batch, seq]);
        b.AddOutput(doubled, OnnxElementType.Int64, [batch, seq]);
        return b.ToBytes();
    }
}
