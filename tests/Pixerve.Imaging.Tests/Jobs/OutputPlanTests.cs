using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Tests.Jobs;

public sealed class OutputPlanTests
{
    private const string Hash = "abc";

    [Theory]
    [InlineData("photo.jpg", "photo")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\me\\My Photo (1).JPG", "My_Photo__1_")]
    [InlineData(".hidden.png", "hidden")]
    [InlineData("..jpg", "original")]
    [InlineData("", "original")]
    [InlineData(null, "original")]
    [InlineData("фото.jpg", "____")]
    public void Base_name_is_sanitised(string? fileName, string expected) => Assert.Equal(expected, OutputPlan.BaseName(fileName));

    [Fact]
    public void Names_put_height_before_width_in_spec_order_with_the_copy_last()
    {
        var spec = new JobSpec
        {
            Formats =
            [
                new FormatRequest(OutputFormat.Webp, null, null, [new BoxSize(800, 600), new BoxSize(100, 100)]),
                new FormatRequest(OutputFormat.Jpg, 80, null, [new BoxSize(300, 200)]),
            ],
            KeepOriginal = true,
        };

        var names = OutputPlan.For(Hash, "cat", SourceFormat.Png, spec).Select(o => o.Name);

        Assert.Equal(["abc_cat_600_800_.webp", "abc_cat_100_100_.webp", "abc_cat_200_300_.jpg", "abc_cat.png"], names);
    }

    [Fact]
    public void Original_format_and_keepOriginal_make_one_copy()
    {
        var spec = new JobSpec { Formats = [new FormatRequest(OutputFormat.Original, null, null, [])], KeepOriginal = true };
        Assert.Equal(["abc_cat.jpg"], OutputPlan.For(Hash, "cat", SourceFormat.Jpeg, spec).Select(o => o.Name));
    }
}
