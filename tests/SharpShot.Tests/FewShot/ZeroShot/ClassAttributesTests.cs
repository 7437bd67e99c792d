using SharpShot.FewShot;
using SharpShot.Testing;

namespace SharpShot.Tests.FewShot.ZeroShot;

public class ClassAttributesTests
{
    [Fact]
    public void ATableIsReadFromCsvWithCommentsAndQuotedNames()
    {
        using var folder = new TempFolder();
        string path = folder.File("attributes.csv");
        File.WriteAllText(path, "# what each class is\nclass,worn_on_feet,has_sleeves\n\"Boot, ankle\",1,0\nShirt,0,1.5\n\n");

        ClassAttributes table = ClassAttributes.Load(path);

        Assert.Equal(["worn_on_feet", "has_sleeves"], table.AttributeNames);
        Assert.Equal([1f, 0f], table.Vector("Boot, ankle"));
        Assert.Equal([1f, 0f, 0f, 1.5f], table.Vectors(["Boot, ankle", "Shirt"]));
        Assert.Contains("'Shirt'", Assert.Throws<ArgumentException>(() => table.Vector("Coat")).Message);
    }

    [Theory]
    [InlineData("class,a,b\nx,1\n", "line 2: expected 3 fields")]
    [InlineData("class,a\nx,1\nx,0\n", "'x' is described twice")]
    [InlineData("class,a\nx,NaN\n", "not a finite number")]
    [InlineData("class,a\nx,one\n", "'one', not a finite number")]
    [InlineData("class,a,a\nx,1,0\n", "'a' is named twice")]
    [InlineData("class,a,\nx,1,0\n", "attribute 2 has no name")]
    [InlineData("class\nx\n", "at least one attribute")]
    [InlineData("# nothing\n", "describes no class")]
    [InlineData("class,a\n\"x,1\n", "not closed")]
    public void AMalformedTableIsATypedErrorNamingTheProblem(string text, string expected)
    {
        using var folder = new TempFolder();
        string path = folder.File("attributes.csv");
        File.WriteAllText(path, text);

        var error = Assert.Throws<FewShotDataException>(() => ClassAttributes.Load(path));

        Assert.Contains(expected, error.Message);
    }
}
