using System.Reflection;
using TorchSharp;

namespace SharpShot.Tests.Native;

public class TorchNativeTests
{
    private const string Glibcxx32 = "GLIBCXX_3.4.32";

    [Fact]
    public void TorchSharpRunsAnOpInsideTheTestHost()
    {
        using var a = torch.arange(6, dtype: torch.ScalarType.Float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }

    [Fact]
    public void OutputCopyIsWeakOnlyWhereTheSystemLibstdcxxLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"expected TorchSharp's native library at {output}");
        ElfVersionNeeds.Need need = ElfVersionNeeds.Read(File.ReadAllBytes(output)).Single(n => n.Version == Glibcxx32);

        string? systemLibrary = new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64" }
            .Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        bool systemHasVersion = systemLibrary is not null && ElfVersionNeeds.LibraryDefinesVersion(systemLibrary, Glibcxx32);
        Assert.Equal(!systemHasVersion && systemLibrary is not null, (need.Flags & ElfVersionNeeds.WeakFlag) != 0);
    }

    [Fact]
    public void NuGetCacheCopyIsNeverModified()
    {
        string? cached = CachedNativeLibrary();
        if (cached is null)
        {
            return; // restored from somewhere other than the default global packages folder
        }

        ElfVersionNeeds.Need need = ElfVersionNeeds.Read(File.ReadAllBytes(cached)).Single(n => n.Version == Glibcxx32);
        Assert.Equal(0, need.Flags & ElfVersionNeeds.WeakFlag);
    }

    [Fact]
    public void MarkWeakSetsTheFlagOnTheNamedVersionOnly()
    {
        string? cached = CachedNativeLibrary() ?? Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(cached), $"expected TorchSharp's native library at {cached}");
        byte[] image = File.ReadAllBytes(cached);
        List<ElfVersionNeeds.Need> before = ElfVersionNeeds.Read(image);
        Assert.Contains(before, n => n.File == "libstdc++.so.6" && n.Version == Glibcxx32);

        ElfVersionNeeds.MarkWeak(image, [Glibcxx32]);
        List<ElfVersionNeeds.Need> after = ElfVersionNeeds.Read(image);

        Assert.Equal(before.Count, after.Count);
        foreach ((ElfVersionNeeds.Need b, ElfVersionNeeds.Need a) in before.Zip(after))
        {
            Assert.Equal(b.Version, a.Version);
            Assert.Equal(b.Version == Glibcxx32 ? (ushort)(b.Flags | ElfVersionNeeds.WeakFlag) : b.Flags, a.Flags);
        }

        Assert.Empty(ElfVersionNeeds.MarkWeak(image, [Glibcxx32])); // already weak: nothing to change
    }

    [Fact]
    public void OneDnnStaysOnUnlessSwitchedOffByTheEnvironment()
    {
        _ = new SharpShot.Layers.ReluLayer("relu");
        bool switchedOff = Environment.GetEnvironmentVariable(SharpShot.Native.TorchRuntime.OneDnnVariable) == "0";
        Assert.Equal(switchedOff && OperatingSystem.IsLinux(), SharpShot.Native.TorchRuntime.OneDnnDisabled);
    }

    [Fact]
    public void NonElfInputHasNoVersionNeeds()
    {
        Assert.Empty(ElfVersionNeeds.Read(new byte[128]));
        Assert.Empty(ElfVersionNeeds.Read("not an ELF file at all"u8.ToArray()));
    }

    private static string? CachedNativeLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Version version = typeof(torch).Assembly.GetName().Version!;
        string path = Path.Combine(root, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }
}
