namespace SharpShot.Onnx.Tests;

public class ImageInputContractTests
{
    [Fact]
    public void The_json_form_reads_back_with_one_value_per_channel()
    {
        var contract = new ImageInputContract(3, 32, 24, [1 / 255.0], [-0.5], normalizedInGraph: true);

        var read = ImageInputContract.Parse(contract.ToJson());

        Assert.Equal((3, 32, 24, true), (read.Channels, read.Height, read.Width, read.NormalizedInGraph));
        Assert.Equal([1 / 255.0, 1 / 255.0, 1 / 255.0], read.Scale);
        Assert.Equal([-0.5, -0.5, -0.5], read.Offset);
        Assert.Contains("\"layout\":\"NCHW\"", contract.ToJson());
        Assert.Contains("\"normalization\":\"graph\"", contract.ToJson());
    }

    [Fact]
    public void A_model_exported_before_the_contract_reads_as_normalized_by_the_host()
    {
        var metadata = new Dictionary<string, string>
        {
            [SharpShotMetadata.InputShape] = "1,28,28",
            [SharpShotMetadata.InputScale] = "0.00392156862745098",
            [SharpShotMetadata.InputOffset] = "0",
        };

        var contract = ImageInputContract.FromMetadata(metadata)!;

        Assert.False(contract.NormalizedInGraph);
        Assert.Equal((1, 28, 28), (contract.Channels, contract.Height, contract.Width));
        Assert.Equal([1 / 255.0], contract.Scale);
    }

    [Theory]
    [InlineData("1,28", "not an image shape")]
    [InlineData("2,28,28", "two channels")]
    [InlineData("28", "flat")]
    public void Metadata_that_describes_no_image_gives_no_contract(string shape, string why)
    {
        var metadata = new Dictionary<string, string> { [SharpShotMetadata.InputShape] = shape, [SharpShotMetadata.InputScale] = "1" };

        Assert.True(ImageInputContract.FromMetadata(metadata) is null, why);
        Assert.Null(ImageInputContract.FromMetadata(new Dictionary<string, string>()));
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"version\":2,\"normalization\":\"graph\"}", "version 2")]
    [InlineData("{\"version\":1,\"channels\":1,\"height\":2,\"width\":2,\"scale\":[1],\"offset\":[0]}", "no 'normalization'")]
    [InlineData("{\"version\":1,\"channels\":2,\"height\":2,\"width\":2,\"scale\":[1],\"offset\":[0],\"normalization\":\"graph\"}", "1 (grey) or 3")]
    [InlineData("{\"version\":1,\"channels\":3,\"height\":2,\"width\":2,\"scale\":[1,2],\"offset\":[0],\"normalization\":\"graph\"}", "one per channel")]
    [InlineData("{\"version\":1,\"layout\":\"NHWC\",\"channels\":1,\"height\":2,\"width\":2,\"scale\":[1],\"offset\":[0],\"normalization\":\"graph\"}", "'NHWC'")]
    [InlineData("{\"version\":1,\"channels\":\"one\",\"height\":2,\"width\":2,\"scale\":[1],\"offset\":[0],\"normalization\":\"graph\"}", "not a valid image input contract")]
    public void A_broken_entry_is_a_format_error_that_says_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<OnnxFormatException>(() =>
            ImageInputContract.FromMetadata(new Dictionary<string, string> { [SharpShotMetadata.InputImage] = json }));

        Assert.Contains(expected, e.Message);
        Assert.Contains(SharpShotMetadata.InputImage, e.Message);
    }
}
