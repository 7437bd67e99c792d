using System.IO.Compression;
using SharpShot.FewShot;
using SharpShot.Testing;
using static SharpShot.Tests.FewShot.Data.OmniglotFiles;

namespace SharpShot.Tests.FewShot.Data;

public sealed class OmniglotErrorTests
{
    private static readonly Character Greek = new("Greek", "character01", 2);

    private static byte[] Drawing() => TestImages.Png(Side, Side, Pixels("Greek", "character01", 0), bitDepth: 1);

    [Fact]
    public void A_missing_zip_is_a_FileNotFoundException_naming_it()
    {
        using var temp = new TempFolder();
        string missing = Path.Combine(temp.Path, "images_background.zip");

        var error = Assert.Throws<FileNotFoundException>(() => Omniglot.Load(missing));

        Assert.Equal(missing, error.FileName);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void A_missing_folder_is_a_DirectoryNotFoundException_naming_it()
    {
        using var temp = new TempFolder();
        string missing = Path.Combine(temp.Path, "omniglot");

        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => Omniglot.Load(missing)).Message);
    }

    [Fact]
    public void No_source_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Omniglot.Load());
        Assert.Throws<ArgumentException>(() => Omniglot.Load(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => Omniglot.Load(["x.zip"], 0));
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_a_typed_error_naming_it()
    {
        using var temp = new TempFolder();
        string path = temp.WriteBytes("images_background.zip", "this is not a zip file"u8.ToArray());

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(path));

        Assert.Equal(path, error.FilePath);
        Assert.Null(error.Entry);
        Assert.Contains("not a valid zip file", error.Message);
        Assert.IsType<InvalidDataException>(error.InnerException);
    }

    [Fact]
    public void A_truncated_zip_is_a_typed_error_naming_it()
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("images_background.zip"), "images_background", Greek);
        byte[] bytes = File.ReadAllBytes(zip);
        File.WriteAllBytes(zip, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(zip));

        Assert.Equal(zip, error.FilePath);
        Assert.Contains(zip, error.Message);
    }

    [Fact]
    public void A_zip_entry_with_corrupt_compressed_data_is_a_typed_error_naming_the_entry()
    {
        using var temp = new TempFolder();
        string zip = temp.File("images_background.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using Stream stream = archive.CreateEntry("s/Greek/character01/0001_01.png", CompressionLevel.Optimal).Open();
            stream.Write(Drawing());
        }

        // Overwrite the entry's compressed data (after the 30-byte local header and the name) with garbage.
        byte[] bytes = File.ReadAllBytes(zip);
        int dataStart = 30 + BitConverter.ToUInt16(bytes, 26) + BitConverter.ToUInt16(bytes, 28);
        int compressedLength = BitConverter.ToInt32(bytes, 18);
        for (int i = 0; i < compressedLength; i++)
        {
            bytes[dataStart + i] = (byte)(0xFF - (i * 37));
        }

        File.WriteAllBytes(zip, bytes);

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(zip));

        Assert.Equal(zip, error.FilePath);
        Assert.Equal("s/Greek/character01/0001_01.png", error.Entry);
        Assert.Contains("s/Greek/character01/0001_01.png", error.Message);
    }

    [Fact]
    public void A_PNG_with_a_wrong_checksum_is_a_typed_error_naming_the_entry()
    {
        using var temp = new TempFolder();
        byte[] png = Drawing();
        png[^20] ^= 0x55; // inside the IDAT chunk's data
        string zip = WriteZip(temp.File("z.zip"), [("s/Greek/character01/0001_01.png", Drawing()), ("s/Greek/character01/0001_02.png", png)]);

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(zip));

        Assert.Equal("s/Greek/character01/0001_02.png", error.Entry);
        Assert.Contains("CRC", error.Message);
    }

    [Fact]
    public void A_truncated_PNG_is_a_typed_error_naming_the_entry()
    {
        using var temp = new TempFolder();
        string zip = WriteZip(temp.File("z.zip"), [("s/Greek/character01/0001_01.png", Drawing()[..40])]);

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(zip));

        Assert.Equal("s/Greek/character01/0001_01.png", error.Entry);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_dot_png_that_is_not_a_PNG_is_a_typed_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string set = WriteFolder(temp.File("data"), "images_background", Greek);
        string bad = Path.Combine(set, "Greek", "character01", FileName(1));
        File.WriteAllText(bad, "GIF89a, not a png");

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(set));

        Assert.Equal(bad, error.FilePath);
        Assert.Contains("not a PNG file", error.Message);
    }

    [Fact]
    public void A_PNG_whose_image_data_cannot_be_decoded_is_a_typed_error()
    {
        // Structurally sound (CRCs right) but the IDAT chunk holds no valid zlib stream.
        using var temp = new TempFolder();
        byte[] png = Drawing();
        var header = png[..33];               // signature + IHDR
        byte[] garbage = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] idat = [0, 0, 0, 8, .. "IDAT"u8, .. garbage, 0, 0, 0, 0];
        uint crc = Crc32.Of(idat.AsSpan(4, 12));
        idat[^4] = (byte)(crc >> 24);
        idat[^3] = (byte)(crc >> 16);
        idat[^2] = (byte)(crc >> 8);
        idat[^1] = (byte)crc;
        byte[] broken = [.. header, .. idat, .. png[^12..]];
        string zip = WriteZip(temp.File("z.zip"), [("s/Greek/character01/0001_01.png", broken)]);

        var error = Assert.Throws<FewShotDataException>(() => Omniglot.Load(zip));

        Assert.Equal("s/Greek/character01/0001_01.png", error.Entry);
        Assert.Contains("cannot be decoded", error.Message);
    }

    [Fact]
    public void With_several_bad_drawings_the_first_in_order_is_reported()
    {
        using var temp = new TempFolder();
        var files = Files("s", [new Character("A", "character01", 30)]).ToList();
        files[7] = (files[7].Path, [1, 2, 3]);
        files[23] = (files[23].Path, [4, 5, 6]);
        string zip = WriteZip(temp.File("z.zip"), files);

        for (int run = 0; run < 5; run++)
        {
            Assert.Equal(files[7].Path, Assert.Throws<FewShotDataException>(() => Omniglot.Load(zip)).Entry);
        }
    }

    [Fact]
    public void A_zip_without_the_layout_says_what_layout_was_expected()
    {
        using var temp = new TempFolder();
        string flat = WriteZip(temp.File("flat.zip"), [("images/0001_01.png", Drawing())]);
        string empty = WriteZip(temp.File("empty.zip"), [("notes/readme.txt", [1, 2])]);

        var shallow = Assert.Throws<FewShotDataException>(() => Omniglot.Load(flat));
        var nothing = Assert.Throws<FewShotDataException>(() => Omniglot.Load(empty));

        Assert.Equal("images/0001_01.png", shallow.Entry);
        Assert.Contains("<set>/<Alphabet>/<character>/<drawing>.png", shallow.Message);
        Assert.Equal(empty, nothing.FilePath);
        Assert.Contains("holds no PNG drawings", nothing.Message);
        Assert.Contains("<set>/<Alphabet>/<character>/<drawing>.png", nothing.Message);
    }

    [Fact]
    public void A_folder_without_the_layout_says_what_layout_was_expected()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("empty/sub"));
        File.WriteAllBytes(temp.File("flat/Greek/0001_01.png"), Drawing());

        var empty = Assert.Throws<FewShotDataException>(() => Omniglot.Load(temp.File("empty")));
        var flat = Assert.Throws<FewShotDataException>(() => Omniglot.Load(temp.File("flat")));

        Assert.Contains("no Omniglot data", empty.Message);
        Assert.Contains("images_background*.zip", empty.Message);
        Assert.Equal(temp.File("flat/Greek/0001_01.png"), flat.FilePath);
        Assert.Contains("<set>/<Alphabet>/<character>/<drawing>.png", flat.Message);
    }

    [Fact]
    public void A_folder_mixing_one_set_and_a_folder_of_sets_is_an_error()
    {
        using var temp = new TempFolder();
        WriteFolder(temp.File("mixed"), "", Greek);
        WriteFolder(temp.File("mixed"), "images_evaluation", new Character("Korean", "character01", 1));

        Assert.Contains("two depths", Assert.Throws<FewShotDataException>(() => Omniglot.Load(temp.File("mixed"))).Message);
    }

    [Fact]
    public void Errors_are_IOExceptions()
    {
        Assert.IsAssignableFrom<IOException>(new FewShotDataException("f.zip", "a/b.png", "bad."));
        Assert.Equal("'f.zip', entry 'a/b.png': bad.", new FewShotDataException("f.zip", "a/b.png", "bad.").Message);
        Assert.Equal("'f.zip': bad.", new FewShotDataException("f.zip", null, "bad.").Message);
    }
}
