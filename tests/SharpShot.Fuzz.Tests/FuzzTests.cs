using System.Reflection;

namespace SharpShot.Fuzz.Tests;

/// <summary>
/// The short fuzzing run of every format, with a fixed seed and a fixed number of inputs so that CI reads the same
/// inputs every time, and the replay of every kept crasher (tests/Fuzz/crashers/&lt;format&gt;/).
/// </summary>
public sealed class FuzzTests
{
    // Inputs per format: a few seconds each on a 2-core machine.
    private const int ShortRunInputs = 500;
    private const ulong FixedSeed = 20261205;

    private static readonly string CrasherRoot = typeof(FuzzTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SharpShot.Fuzz.Crashers").Value!;

    public static TheoryData<string> FormatNames() => [.. Formats.All.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(FormatNames))]
    public void Mutated_inputs_end_in_success_or_a_documented_exception_within_the_bounds(string format)
    {
        using var runner = new FuzzRunner(Formats.Named(format));

        FuzzReport report = runner.Run(FixedSeed, ShortRunInputs, duration: null);

        Assert.Equal(ShortRunInputs, report.Inputs);
        Assert.True(report.Findings.Count == 0, $"{report}\n" + string.Join("\n\n", report.Findings.Take(3).Select(f => $"{f.Kind}: {Convert.ToBase64String(f.Input)}\n{f.Detail}")));
        // The mutations must reach both outcomes; a fuzzer whose every input fails the first check tests nothing.
        Assert.True(report.Typed > 0, $"No {format} input was refused: {report}");
        Assert.True(report.Succeeded + report.Typed == report.Inputs);
    }

    [Fact]
    public void The_same_seed_draws_the_same_inputs()
    {
        FuzzFormat png = Formats.Named("png");
        var first = new Mutator(png.Seeds(), png.Repair);
        var second = new Mutator(png.Seeds(), png.Repair);
        var a = new CsCheck.PCG(1, FixedSeed);
        var b = new CsCheck.PCG(1, FixedSeed);

        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(first.Next(a), second.Next(b));
        }
    }

    [Fact]
    public void Png_crc_repair_lets_a_mutated_chunk_reach_the_decoder()
    {
        byte[] png = Seeds.Png()[0];
        png[16 + 3] ^= 0x01; // IHDR's width, low byte: the chunk's CRC no longer matches

        var broken = Assert.ThrowsAny<SharpShot.Imaging.ImageDecodeException>(() => SharpShot.Imaging.ImageDecoder.Decode(png, SharpShot.Imaging.ImageColor.Gray));
        Assert.Contains("CRC", broken.Message);
        var repaired = Record.Exception(() => SharpShot.Imaging.ImageDecoder.Decode(Formats.FixPngCrcs(png), SharpShot.Imaging.ImageColor.Gray));
        Assert.DoesNotContain("CRC", repaired?.Message ?? string.Empty);
    }

    public static TheoryData<string, string> Crashers()
    {
        var data = new TheoryData<string, string>();
        foreach (FuzzFormat format in Formats.All)
        {
            string folder = Path.Combine(CrasherRoot, format.Name);
            if (Directory.Exists(folder))
            {
                foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
                {
                    data.Add(format.Name, Path.GetFileName(file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Crashers))]
    public void Kept_crashers_end_in_success_or_a_documented_exception_within_the_bounds(string format, string file)
    {
        using var runner = new FuzzRunner(Formats.Named(format));
        var report = new FuzzReport { Format = format };

        runner.Judge(File.ReadAllBytes(Path.Combine(CrasherRoot, format, file)), report);

        Assert.True(report.Findings.Count == 0, $"{format}/{file}: {string.Join("\n", report.Findings.Select(f => $"{f.Kind}: {f.Detail}"))}");
    }

    [Fact]
    public void Every_format_has_a_crasher_folder_or_none_yet_and_no_stray_folders()
    {
        // A folder named after no format would never be replayed.
        string[] names = [.. Formats.All.Select(f => f.Name)];
        foreach (string folder in Directory.Exists(CrasherRoot) ? Directory.GetDirectories(CrasherRoot) : [])
        {
            Assert.Contains(Path.GetFileName(folder), names);
        }
    }
}
