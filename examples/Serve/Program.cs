// Serves ONNX models with the Open Inference Protocol (/v2), image classification and few-shot sessions (/v1), and a
// page to try them (wwwroot/index.html):
//   dotnet run --project examples/Serve -c Release -- --model PATH [--name NAME] [--model PATH2 ...] [--batch]
// Binds to http://127.0.0.1:8000 unless --urls (as in any ASP.NET Core app) says otherwise. Models can also come from
// the "SharpShot" section of appsettings.json.
using SharpShot.Serving;

var models = new List<ServedModelOptions>();
bool batching = false;
var rest = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" when i + 1 < args.Length:
            models.Add(new ServedModelOptions { Path = Path.GetFullPath(args[++i]) });
            break;
        case "--name" when i + 1 < args.Length && models.Count > 0:
            models[^1].Name = args[++i];
            break;
        case "--name":
            Console.Error.WriteLine("error: --name NAME follows the --model PATH it names.");
            return 2;
        case "--model":
            Console.Error.WriteLine("error: --model needs a path to an .onnx file.");
            return 2;
        case "--batch":
            batching = true;
            break;
        default:
            rest.Add(args[i]);
            break;
    }
}

foreach (var model in models.Where(m => !File.Exists(m.Path)))
{
    Console.Error.WriteLine($"error: the model file '{model.Path}' does not exist.");
    return 1;
}

var builder = WebApplication.CreateBuilder([.. rest]);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    // Loopback only unless asked: a model server is not exposed to the network by accident.
    builder.WebHost.UseUrls("http://127.0.0.1:8000");
}

builder.Services.AddSharpShot(builder.Configuration);
builder.Services.Configure<SharpShotServingOptions>(options =>
{
    foreach (var model in models)
    {
        model.Batching = batching ? new BatchingOptions() : null;
        options.Models.Add(model);
    }
});

var app = builder.Build();
var registry = app.Services.GetRequiredService<ModelRegistry>();
if (registry.Names.Count == 0)
{
    Console.Error.WriteLine("error: no model to serve: pass --model PATH (repeatable) or configure \"SharpShot\": { \"Models\": [...] }.");
    return 2;
}

app.UseDefaultFiles();
app.UseStaticFiles();
app.MapSharpShot();
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (string name in registry.Names)
    {
        Console.WriteLine(registry.FailureOf(name) is { } failure ? $"model '{name}' failed to load: {failure}" : $"serving '{name}': POST /v2/models/{name}/infer, /v1/models/{name}/classify, /v1/models/{name}/sessions");
    }

    Console.WriteLine($"open {string.Join(" or ", app.Urls)} in a browser to try them");
});
await app.RunAsync();
return 0;
