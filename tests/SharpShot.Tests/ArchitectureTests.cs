using System.Reflection;
using System.Text.RegularExpressions;

namespace SharpShot.Tests;

/// <summary>
/// The rules of docs/architecture.md that keep one home per concept, checked on the sources so that they stay true:
/// a meta-algorithm is named only where it is created and in its table; protobuf messages are built only by the one
/// ONNX writer.
/// </summary>
public partial class ArchitectureTests
{
    private static readonly string Root = typeof(ArchitectureTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SharpShot.RepositoryRoot").Value!;

    [Fact]
    public void MetaAlgorithmMembersAreNamedOnlyWhereAlgorithmsAreCreatedAndInTheirTable()
    {
        string[] allowed = ["runtime/SharpShot/Settings/", "runtime/SharpShot/FewShot/MetaLearning/Algorithms/MetaLearningAlgorithm.cs"];
        string[] offenders = CodeLines("runtime", "generators")
            .Where(line => AlgorithmMember().IsMatch(line.Text) && !allowed.Any(line.File.StartsWith))
            .Select(line => $"{line.File}: {line.Text.Trim()}")
            .ToArray();
        Assert.True(offenders.Length == 0, "Dispatch on MetaAlgorithm outside the factory and MetaAlgorithmTraits:\n" + string.Join("\n", offenders));
    }

    /// <summary>
    /// Product code outside export/ never touches the generated protobuf types (namespace <c>SharpShot.Onnx.Proto</c>),
    /// and nothing outside export/ and its tests builds a protobuf message; tests may read one to inspect a model.
    /// </summary>
    [Fact]
    public void ProtobufMessagesAreBuiltOnlyInTheOnnxWriter()
    {
        string[] offenders = CodeLines("runtime", "generators", "examples", "benchmarks")
            .Where(line => line.Text.Contains("SharpShot.Onnx.Proto", StringComparison.Ordinal) || ProtobufMessage().IsMatch(line.Text))
            .Concat(CodeLines("tests").Where(line => ProtobufMessage().IsMatch(line.Text)
                && !line.File.StartsWith("tests/SharpShot.Onnx.Tests/") && line.File != "tests/SharpShot.Tests/ArchitectureTests.cs"))
            .Select(line => $"{line.File}: {line.Text.Trim()}")
            .ToArray();
        Assert.True(offenders.Length == 0, "Protobuf types used outside export/SharpShot.Onnx:\n" + string.Join("\n", offenders));
    }

    /// <summary>Every line of the C# sources under <paramref name="folders"/>, without comments, by repository-relative path.</summary>
    private static IEnumerable<(string File, string Text)> CodeLines(params string[] folders) =>
        from folder in folders
        from path in Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
        let file = Path.GetRelativePath(Root, path).Replace('\\', '/')
        where !file.Contains("/obj/") && !file.Contains("/bin/") && !file.Contains("/Snapshots/")
        from text in File.ReadLines(path)
        where !text.TrimStart().StartsWith("//", StringComparison.Ordinal)
        select (file, text);

    [GeneratedRegex(@"\bMetaAlgorithm\.(ProtoNet|Maml|FoMaml|Reptile|Anil|MetaSgd)\b")]
    private static partial Regex AlgorithmMember();

    [GeneratedRegex(@"new\s+(ModelProto|GraphProto|NodeProto|TensorProto|ValueInfoProto|AttributeProto|SparseTensorProto|TypeProto|TensorShapeProto|StringStringEntryProto|OperatorSetIdProto)\b")]
    private static partial Regex ProtobufMessage();
}
