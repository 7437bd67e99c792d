using SharpShot.Data;
using Xunit;

namespace SharpShot.Tests.Data;

/// <summary>
/// Tests that set or read the process-wide SHARPSHOT_DATA variable share this collection, which xunit runs
/// on its own (never alongside another collection), so no other test sees the values set here.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DataEnvironmentCollection
{
    public const string Name = "SHARPSHOT_DATA environment variable";
}

[Collection(DataEnvironmentCollection.Name)]
public sealed class FashionMnistLocateTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string? _savedVariable = Environment.GetEnvironmentVariable(DataPaths.EnvironmentVariable);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, _savedVariable);
        _folder.Dispose();
    }

    [Fact]
    public void ExplicitPathWinsOverEnvironmentVariable()
    {
        string explicitFolder = Path.Combine(_folder.Path, "mine");
        string environmentFolder = Path.Combine(_folder.Path, "shared");
        FakeMnist.WriteFashionFolder(explicitFolder);
        FakeMnist.WriteFashionFolder(environmentFolder);
        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, environmentFolder);

        Assert.Equal(explicitFolder, FashionMnist.Locate(explicitFolder));
        Assert.Equal(environmentFolder, FashionMnist.Locate());
    }

    [Fact]
    public void EnvironmentVariableMayNameTheFolderOrItsParent()
    {
        string root = Path.Combine(_folder.Path, "data");
        string nested = Path.Combine(root, FashionMnist.FolderName);
        FakeMnist.WriteFashionFolder(nested, gzip: false);

        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, root);
        Assert.Equal(nested, FashionMnist.Locate());

        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, nested);
        Assert.Equal(nested, FashionMnist.Locate());
    }

    [Fact]
    public void FolderDirectlyInEnvironmentVariableWinsOverItsSubfolder()
    {
        FakeMnist.WriteFashionFolder(_folder.Path);
        FakeMnist.WriteFashionFolder(Path.Combine(_folder.Path, FashionMnist.FolderName));
        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, _folder.Path);

        Assert.Equal(_folder.Path, FashionMnist.Locate());
    }

    [Fact]
    public void WrongExplicitFolderIsAnErrorEvenWhenTheEnvironmentHasData()
    {
        FakeMnist.WriteFashionFolder(_folder.Path);
        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, _folder.Path);
        string absent = Path.Combine(_folder.Path, "typo");

        var error = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Locate(absent));

        Assert.Contains($"'{absent}' does not exist", error.Message);
        Assert.Contains("train-images-idx3-ubyte", error.Message);
    }

    [Fact]
    public void ExplicitFolderMissingFilesListsExactlyWhichAndWhere()
    {
        string folder = Path.Combine(_folder.Path, "partial");
        FakeMnist.WriteFashionFolder(folder, gzip: true);
        File.Delete(Path.Combine(folder, FashionMnist.TrainLabelsFile + ".gz"));
        File.Delete(Path.Combine(folder, FashionMnist.TestLabelsFile + ".gz"));

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Locate(folder));

        Assert.Contains(
            $"'{folder}' lacks train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz), t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)",
            error.Message);
        Assert.DoesNotContain("lacks train-images", error.Message);
        Assert.Equal(Path.Combine(folder, FashionMnist.TrainLabelsFile), error.FileName);
    }

    [Fact]
    public void ExplicitParentOfTheDataFolderIsAnErrorThatPointsToTheSubfolder()
    {
        string nested = Path.Combine(_folder.Path, FashionMnist.FolderName);
        FakeMnist.WriteFashionFolder(nested);

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Locate(_folder.Path));

        Assert.Contains($"'{_folder.Path}' holds none of the files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte", error.Message);
        Assert.Contains($"The subfolder '{nested}' holds them", error.Message);
    }

    [Fact]
    public void EnvironmentFolderWithoutTheDataFallsThroughToTheSystemFolder()
    {
        string system = Path.Combine(_folder.Path, "usr-share-datasets-fashion-mnist");
        FakeMnist.WriteFashionFolder(system);
        string otherData = Path.Combine(_folder.Path, "other-datasets");
        Directory.CreateDirectory(otherData);

        Assert.Equal(system, FashionMnist.Locate(explicitPath: null, dataRoot: otherData, systemDirectory: system));
        Assert.Equal(system, FashionMnist.Locate(explicitPath: null, dataRoot: null, systemDirectory: system));
    }

    [Fact]
    public void EnvironmentFolderWinsOverTheSystemFolder()
    {
        string system = Path.Combine(_folder.Path, "system");
        string environment = Path.Combine(_folder.Path, "environment");
        FakeMnist.WriteFashionFolder(system);
        FakeMnist.WriteFashionFolder(environment);

        Assert.Equal(environment, FashionMnist.Locate(explicitPath: null, dataRoot: environment, systemDirectory: system));
    }

    [Fact]
    public void NothingFoundIsNull()
    {
        string empty = Path.Combine(_folder.Path, "empty");
        Directory.CreateDirectory(empty);
        string incomplete = Path.Combine(_folder.Path, "incomplete");
        FakeMnist.WriteFashionFolder(incomplete);
        File.Delete(Path.Combine(incomplete, FashionMnist.TestLabelsFile + ".gz"));

        Assert.Null(FashionMnist.Locate(explicitPath: null, dataRoot: empty, systemDirectory: incomplete));
        Assert.Null(FashionMnist.Locate(explicitPath: null, dataRoot: "   ", systemDirectory: Path.Combine(_folder.Path, "absent")));
        Assert.Null(FashionMnist.Locate(explicitPath: null, dataRoot: Path.Combine(_folder.Path, "absent"), systemDirectory: empty));
    }

    [Fact]
    public void LocatedFolderLoads()
    {
        FakeMnist.WriteFashionFolder(_folder.Path, trainCount: 4, testCount: 2);
        Environment.SetEnvironmentVariable(DataPaths.EnvironmentVariable, _folder.Path);

        var (train, test) = FashionMnist.Load(FashionMnist.Locate()!);

        Assert.Equal((4, 2), (train.Count, test.Count));
    }
}
