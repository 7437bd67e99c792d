using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SharpShot.Serving;

/// <summary>Registers SharpShot's model serving.</summary>
public static class SharpShotServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="AddSharpShot(IServiceCollection, IConfiguration)"/> reads: <c>SharpShot</c>.</summary>
    public const string SectionName = "SharpShot";

    /// <summary>
    /// Serves the models of the configuration's <c>SharpShot</c> section (<c>"SharpShot": { "Models": [ { "Name": "fashion",
    /// "Path": "model.onnx", "ExecutionProvider": "Cpu", "Threads": 2 } ], "MaxRequestBytes": 67108864, "Sessions": { "MaxSessions": 256 } }</c>); the models are
    /// one singleton <see cref="ModelRegistry"/>, loaded at the first request or at startup, disposed with the app; the few-shot
    /// sessions one singleton <see cref="FewShotSessions"/>.
    /// </summary>
    public static IServiceCollection AddSharpShot(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddSharpShot(options => configuration.GetSection(SectionName).Bind(options));
    }

    /// <summary>Serves the models <paramref name="configure"/> sets.</summary>
    public static IServiceCollection AddSharpShot(this IServiceCollection services, Action<SharpShotServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddSingleton<ModelRegistry>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FewShotSessions>();
        return services;
    }
}
