using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Grains.Tests;

/// <summary>How the answers' <c>outputs</c> are assembled from a record.</summary>
public sealed class JobOutputTests
{
    private static readonly StoredFile[] Files =
    [
        new("h_a_100_100_.jpg", "direct", "/files/x/h_a_100_100_.jpg", 1000, 100, 67),
        new("h_a_100_100_.jpg", "s3", "https://bucket.example/x/h_a_100_100_.jpg", 1000, 100, 67),
        new("h_a.png", "direct", "/files/x/h_a.png", 5000, 300, 200),
    ];

    [Fact]
    public void Outputs_keep_plan_order_and_gather_every_backends_location()
    {
        OutputInfo[] outputs = [new("h_a.png", "original", 300, 200, 5000), new("h_a_100_100_.jpg", "jpg", 100, 67, 1000)];

        var described = JobOutput.Of(outputs, Files);

        Assert.Equal(["h_a.png", "h_a_100_100_.jpg"], described.Select(o => o.Name));
        Assert.Equal("original", described[0].Format);
        Assert.Equal([new OutputLocation("direct", "/files/x/h_a_100_100_.jpg"), new OutputLocation("s3", "https://bucket.example/x/h_a_100_100_.jpg")],
            described[1].Locations);
    }
}
