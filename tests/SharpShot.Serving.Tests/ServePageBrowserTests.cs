using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PuppeteerSharp;

namespace SharpShot.Serving.Tests;

/// <summary>
/// <c>examples/Serve</c>'s page in a real browser: headless Chromium (Debian's <c>chromium</c>) loads it from the app on
/// Kestrel (127.0.0.1), submits images through its file inputs and buttons as a user would, and the test reads the answers
/// from the page. Skipped where no Chromium is installed, unless <c>SHARPSHOT_REQUIRE_BROWSER=1</c> (as <c>.ci/run</c> sets,
/// after installing it) makes that a failure.
/// </summary>
public class ServePageBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string? FindChromium()
    {
        string? configured = Environment.GetEnvironmentVariable("SHARPSHOT_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    [SkippableFact]
    public async Task The_page_classifies_a_dropped_image_and_runs_a_few_shot_session()
    {
        string? chromium = FindChromium();
        bool required = Environment.GetEnvironmentVariable("SHARPSHOT_REQUIRE_BROWSER") == "1";
        Assert.False(chromium is null && required, "SHARPSHOT_REQUIRE_BROWSER=1 but no chromium was found (apt-get install chromium, or set SHARPSHOT_CHROMIUM).");
        Skip.If(chromium is null, "No Chromium installed (apt-get install chromium); the browser check of examples/Serve's page did not run.");

        using var temp = new TempFolder();
        string shades = temp.WriteBytes("shades.onnx", Server.DarkOrLight());
        string embed = temp.WriteBytes("embed.onnx", Server.Brightness());
        string black = temp.WriteBytes("black.png", TestImages.Png(4, 4, new byte[16]));
        string white = temp.WriteBytes("white.png", TestImages.Png(4, 4, Enumerable.Repeat((byte)255, 16).ToArray()));
        string light = temp.WriteBytes("light.png", TestImages.Png(8, 8, Enumerable.Repeat((byte)230, 64).ToArray()));
        string dim = temp.WriteBytes("dim.png", TestImages.Png(4, 4, Enumerable.Repeat((byte)40, 16).ToArray()));
        string notAnImage = temp.WriteBytes("notes.png", "these are not pixels"u8.ToArray());

        await using var factory = new WebApplicationFactory<Serve.ServeApp>().WithWebHostBuilder(host =>
        {
            host.UseSetting("urls", "http://127.0.0.1:0");
            host.UseSetting("SharpShot:Models:0:Path", shades);
            host.UseSetting("SharpShot:Models:1:Path", embed);
            host.UseSetting("SharpShot:ReloadPollMilliseconds", "0");
        });
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        using var client = factory.CreateClient();
        Uri root = client.BaseAddress!;
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(root.Host)), root.ToString());

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = (int)Patience.TotalMilliseconds,
        });
        await using var page = await browser.NewPageAsync();
        page.DefaultTimeout = (int)Patience.TotalMilliseconds;
        await page.GoToAsync(root.ToString());
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#classify-model option').length === 2");

        // Classify: choose a file as a user would; the page posts it and lists the top labels.
        var classifyFile = await page.QuerySelectorAsync("#classify-file");
        await classifyFile.UploadFileAsync(light);
        await page.WaitForSelectorAsync("#classify-result li");
        string classified = await Text(page, "#classify-result");

        await classifyFile.UploadFileAsync(notAnImage);
        await page.WaitForFunctionAsync("() => document.querySelector('#classify-error').textContent.length > 0");
        string refused = await Text(page, "#classify-error");

        // Few-shot: name two classes, give each an example, create the session, ask about a query.
        await page.SelectAsync("#fewshot-model", "embed");
        var labels = await page.QuerySelectorAllAsync(".class-label");
        var files = await page.QuerySelectorAllAsync(".class-files");
        await labels[0].TypeAsync("night");
        await files[0].UploadFileAsync(black);
        await labels[1].TypeAsync("day");
        await files[1].UploadFileAsync(white);
        await page.ClickAsync("#fewshot-create");
        await page.WaitForFunctionAsync("() => document.querySelector('#fewshot-session').textContent.length > 0");
        string session = await Text(page, "#fewshot-session");
        var query = await page.QuerySelectorAsync("#fewshot-query");
        await query.UploadFileAsync(dim);
        await page.WaitForSelectorAsync("#fewshot-result li");
        string answered = await Text(page, "#fewshot-result");
        string unknown = await Text(page, "#fewshot-unknown");
        // Bright on the left, dark on the right: (0.5, 1) in the embedding, about 1.1 from both classes, beyond 0.5.
        string halves = temp.WriteBytes("halves.png", TestImages.Png(4, 4, Enumerable.Range(0, 16).Select(i => i % 4 < 2 ? (byte)255 : (byte)0).ToArray()));
        await query.UploadFileAsync(halves);
        await page.WaitForFunctionAsync("() => document.querySelector('#fewshot-unknown').textContent.length > 0");
        string greyUnknown = await Text(page, "#fewshot-unknown");
        string status = await Text(page, "#models-status");

        Assert.Contains("shades, embed", status);
        Assert.StartsWith("light", classified);
        Assert.Contains("%", classified);
        Assert.Contains("not a PNG, JPEG or BMP image", refused);
        Assert.Matches("^[0-9a-f]{32} \\(night: 1, day: 1\\)$", session);
        Assert.StartsWith("night", answered);
        Assert.Equal(string.Empty, unknown);
        Assert.StartsWith("Probably none of these classes", greyUnknown);
    }

    private static Task<string> Text(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("s => document.querySelector(s).innerText.trim()", selector);
}
