using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SharpShot.Generators.Tests.Infrastructure;

/// <summary>Compiles test sources against the real SharpShot runtime and runs <see cref="ModelGenerator"/> over them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The test project's folder (for snapshots and repository files).</summary>
    public static string ProjectDirectory { get; } =
        typeof(GeneratorHarness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SharpShot.ProjectDirectory").Value!;

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(ProjectDirectory, "..", ".."));

    /// <summary>A compilation of <paramref name="sources"/>, named Source0.cs, Source1.cs, ….</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpGeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    public static GeneratorRun Run(params string[] sources)
    {
        CSharpCompilation input = CreateCompilation(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        return new GeneratorRun(input, output, driver.GetRunResult().Results.Single(), driverDiagnostics);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The framework's reference set is the test host's own: its trusted platform assemblies in the framework folder.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        IEnumerable<string> framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal));

        // The runtime and what its public API exposes (TorchSharp tensors, the ONNX graph builder, protobuf messages).
        IEnumerable<string> sharpShot = new[]
        {
            typeof(ModelAttribute).Assembly.Location,
            Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll"),
            Path.Combine(AppContext.BaseDirectory, "SharpShot.Onnx.dll"),
            Path.Combine(AppContext.BaseDirectory, "Google.Protobuf.dll"),
        };

        return framework.Concat(sharpShot).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToImmutableArray();
    }
}

/// <summary>One generator run: the compilations before and after, and what the generator produced.</summary>
internal sealed record GeneratorRun(CSharpCompilation Input, Compilation Output, GeneratorRunResult Result, ImmutableArray<Diagnostic> DriverDiagnostics)
{
    /// <summary>The generator's diagnostics, in source order.</summary>
    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();

    /// <summary>The single generated file's text.</summary>
    public string SingleSource => Result.GeneratedSources.Single().SourceText.ToString();
}
