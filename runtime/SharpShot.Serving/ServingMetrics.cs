using System.Diagnostics.Metrics;

namespace SharpShot.Serving;

/// <summary>
/// What the service measures, through <see cref="System.Diagnostics.Metrics"/> (so OpenTelemetry or
/// <c>dotnet-counters monitor --counters SharpShot.Serving</c> read it): inference requests by model and status code,
/// their duration, and the size of each batch a model runs.
/// </summary>
public static class ServingMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "SharpShot.Serving";

    private static readonly Meter Meter = new(MeterName);

    /// <summary><c>sharpshot.requests</c>: inference requests answered, tagged <c>model</c> and <c>status</c>.</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("sharpshot.requests", "{request}", "Inference requests answered.");

    /// <summary><c>sharpshot.request.duration</c>: milliseconds from the request's arrival to its answer, tagged <c>model</c>.</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("sharpshot.request.duration", "ms", "Time to answer an inference request.");

    /// <summary><c>sharpshot.batch.size</c>: samples in each call a model runs (1 per request without dynamic batching), tagged <c>model</c>.</summary>
    public static readonly Histogram<long> BatchSize = Meter.CreateHistogram<long>("sharpshot.batch.size", "{sample}", "Samples per model call.");
}
