using SharpShot.FewShot;
using static SharpShot.Tests.FewShot.Data.OmniglotFiles;

namespace SharpShot.Tests.FewShot.Data;

/// <summary>The search order, driven through the internal overload with a stand-in SHARPSHOT_DATA value.</summary>
public sealed class OmniglotLocateTests
{
    private static readonly Character Greek = new("Greek", "character01", 1);

    [Fact]
    public void An_explicit_folder_holding_zips_or_sets_is_returned()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("zips/images_background_small1.zip"), "images_background_small1", Greek);
        WriteFolder(temp.File("sets"), "images_evaluation", Greek);
        string set = WriteFolder(temp.File("sets2"), "whatever", Greek);

        Assert.Equal(temp.File("zips"), Omniglot.Locate(temp.File("zips"), dataRoot: null));
        Assert.Equal(temp.File("sets"), Omniglot.Locate(temp.File("sets"), dataRoot: null));
        Assert.Equal(set, Omniglot.Locate(set, dataRoot: null));
    }

    [Fact]
    public void An_explicit_zip_file_is_returned()
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("my.zip"), "s", Greek);

        Assert.Equal(zip, Omniglot.Locate(zip, dataRoot: null));
    }

    [Fact]
    public void A_wrong_explicit_path_is_an_error_never_a_reason_to_look_elsewhere()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("root/omniglot/images_background.zip"), "images_background", Greek);
        Directory.CreateDirectory(temp.File("empty"));
        string text = temp.WriteBytes("notes.zip", "hello"u8.ToArray());

        Assert.Throws<DirectoryNotFoundException>(() => Omniglot.Locate(temp.File("missing"), temp.File("root")));
        Assert.Throws<FileNotFoundException>(() => Omniglot.Locate(temp.File("missing.zip"), temp.File("root")));
        Assert.Contains("no Omniglot data", Assert.Throws<FewShotDataException>(() => Omniglot.Locate(temp.File("empty"), temp.File("root"))).Message);
        Assert.Contains("not a zip file", Assert.Throws<FewShotDataException>(() => Omniglot.Locate(text, temp.File("root"))).Message);
    }

    [Fact]
    public void A_folder_whose_omniglot_subfolder_holds_the_data_gets_a_hint()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("root/omniglot/images_background.zip"), "images_background", Greek);

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Locate(temp.File("root"), dataRoot: null));

        Assert.Contains(temp.File("root/omniglot"), error.Message);
    }

    [Fact]
    public void The_data_root_s_omniglot_subfolder_is_found()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("root/omniglot/images_background.zip"), "images_background", Greek);

        Assert.Equal(temp.File("root/omniglot"), Omniglot.Locate(null, temp.File("root")));
    }

    [Fact]
    public void The_data_root_itself_is_found_when_it_holds_the_original_names()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("zips/images_evaluation.zip"), "images_evaluation", Greek);
        WriteFolder(temp.File("sets"), "images_background", Greek);

        Assert.Equal(temp.File("zips"), Omniglot.Locate(null, temp.File("zips")));
        Assert.Equal(temp.File("sets"), Omniglot.Locate(null, temp.File("sets")));
    }

    [Fact]
    public void Another_image_data_set_in_the_data_root_is_not_taken_for_Omniglot()
    {
        using var temp = new TempFolder();
        WriteFolder(temp.File("root"), "mini-imagenet", new Character("train", "n01532829", 1));

        Assert.Null(Omniglot.Locate(null, temp.File("root")));
    }

    [Fact]
    public void Nothing_given_and_nothing_found_is_null()
    {
        using var temp = new TempFolder();

        Assert.Null(Omniglot.Locate(null, dataRoot: null));
        Assert.Null(Omniglot.Locate(null, dataRoot: ""));
        Assert.Null(Omniglot.Locate(null, temp.File("missing")));
        Assert.Null(Omniglot.Locate(null, temp.Path));
    }

    [Fact]
    public void What_Locate_returns_loads()
    {
        using var temp = new TempFolder();
        WriteZip(temp.File("root/omniglot/images_background.zip"), "images_background", Greek);

        Assert.Single(Omniglot.Load(Omniglot.Locate(null, temp.File("root"))!).Classes);
    }
}
