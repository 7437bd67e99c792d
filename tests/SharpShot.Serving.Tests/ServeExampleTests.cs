using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SharpShot.Serving.Tests;

/// <summary><c>examples/Serve</c> as an app: models from configuration, the protocol and image routes answer.</summary>
public class ServeExampleTests
{
    [Fact]
    public async Task The_example_serves_configured_models_over_both_route_families()
    {
        using var temp = new TempFolder();
        string shades = temp.WriteBytes("shades.onnx", Server.DarkOrLight());
        await using var factory = new WebApplicationFactory<Serve.ServeApp>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SharpShot:Models:0:Path", shades);
            host.UseSetting("SharpShot:ReloadPollMilliseconds", "0");
        });
        using var client = factory.CreateClient();

        using var metadata = await client.GetAsync("/v2/models/shades");
        var content = new ByteArrayContent(TestImages.Png(4, 4, Enumerable.Repeat((byte)240, 16).ToArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var classified = await client.PostAsync("/v1/models/shades/classify", content);

        Assert.Equal(200, (int)metadata.StatusCode);
        Assert.Equal("shades", JsonDocument.Parse(await metadata.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString());
        Assert.Equal(200, (int)classified.StatusCode);
        Assert.Equal("light", JsonDocument.Parse(await classified.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions")[0].GetProperty("label").GetString());
    }
}
