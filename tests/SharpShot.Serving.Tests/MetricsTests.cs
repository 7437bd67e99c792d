using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SharpShot.Serving.Tests;

/// <summary>Requests, their duration and the batch sizes are published through System.Diagnostics.Metrics.</summary>
public class MetricsTests
{
    [Fact]
    public async Task Requests_durations_and_batch_sizes_are_measured_per_model()
    {
        var requests = new ConcurrentBag<(long Value, string? Model, int? Status)>();
        var durations = new ConcurrentBag<(double Value, string? Model)>();
        var batches = new ConcurrentBag<(long Value, string? Model)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ServingMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == key)
                {
                    return tag.Value?.ToString();
                }
            }

            return null;
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "sharpshot.requests")
            {
                requests.Add((value, Tag(tags, "model"), int.Parse(Tag(tags, "status")!, System.Globalization.CultureInfo.InvariantCulture)));
            }
            else if (instrument.Name == "sharpshot.batch.size")
            {
                batches.Add((value, Tag(tags, "model")));
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "sharpshot.request.duration")
            {
                durations.Add((value, Tag(tags, "model")));
            }
        });
        listener.Start();
        string model = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await Server.Start(new Dictionary<string, byte[]?> { [model] = Server.Affine() });

        var ok = await server.Post($"/v2/models/{model}/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4, 5, 6]}]}");
        var bad = await server.Post($"/v2/models/{model}/infer", "{\"inputs\": [");

        Assert.Equal((200, 400), (ok.Status, bad.Status));
        Assert.Contains(requests, r => r.Model == model && r.Status == 200 && r.Value == 1);
        Assert.Contains(requests, r => r.Model == model && r.Status == 400 && r.Value == 1);
        Assert.Equal(2, durations.Count(d => d.Model == model && d.Value > 0));
        Assert.Contains(batches, b => b.Model == model && b.Value == 2);
    }
}
