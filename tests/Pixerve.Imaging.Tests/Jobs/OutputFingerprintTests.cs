using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Imaging.Inspection.Formats;

namespace Pixerve.Imaging.Tests.Jobs;

/// <summary>An output's fingerprint: the same work gives the same one, any setting that decides the bytes another.</summary>
public sealed class OutputFingerprintTests
{
    private static readonly string Hash = new('a', 64);

    private static readonly PlannedOutput Base =
        new($"{Hash}_cat_300_400_.webp", OutputFormat.Webp, new BoxSize(400, 300, FitMode.Inside, CropGravity.Centre), 80, 4);

    public static TheoryData<string, PlannedOutput> OtherWork() => new()
    {
        { "format", Base with { Format = OutputFormat.Avif } },
        { "width", Base with { Box = Base.Box!.Value with { Width = 401 } } },
        { "height", Base with { Box = Base.Box!.Value with { Height = 301 } } },
        { "fit", Base with { Box = Base.Box!.Value with { Fit = FitMode.Fill } } },
        { "gravity", Base with { Box = Base.Box!.Value with { Gravity = CropGravity.Attention } } },
        { "quality", Base with { Quality = 81 } },
        { "quality left out", Base with { Quality = null } },
        { "speed", Base with { Speed = 5 } },
        { "speed left out", Base with { Speed = null } },
        { "still", Base with { Still = true } },
        { "a copy instead", Base with { Format = OutputFormat.Original, Box = null, Quality = null, Speed = null } },
    };

    [Theory]
    [MemberData(nameof(OtherWork))]
    public void Each_setting_that_decides_the_bytes_changes_it(string setting, PlannedOutput other)
    {
        Assert.True(OutputFingerprint.Of(Hash, Base) != OutputFingerprint.Of(Hash, other), setting);
    }

    [Fact]
    public void Other_content_changes_it() =>
        Assert.NotEqual(OutputFingerprint.Of(Hash, Base), OutputFingerprint.Of(new string('b', 64), Base));

    [Fact]
    public void The_same_work_has_the_same_fingerprint_whatever_the_name_and_whichever_plan_made_it()
    {
        var fingerprint = OutputFingerprint.Of(Hash, Base);
        Assert.Equal(OutputFingerprint.Length, fingerprint.Length);
        Assert.Matches("^[0-9a-f]+$", fingerprint);
        Assert.Equal(fingerprint, OutputFingerprint.Of(Hash, Base with { Name = $"{Hash}_dog_300_400_.webp" }));
        // A copy is the source's bytes: nothing but the content counts.
        var copy = new PlannedOutput($"{Hash}_cat.png", OutputFormat.Original, null, null, null);
        Assert.Equal(OutputFingerprint.Of(Hash, copy), OutputFingerprint.Of(Hash, copy with { Name = $"{Hash}_dog.png", Still = true, Quality = 5 }));

        // Two claims asking the same of two files: the same fingerprints, in plan order.
        var spec = new JobSpec { Formats = [new FormatRequest(OutputFormat.Webp, 80, 4, [new BoxSize(400, 300)])], KeepOriginal = true, SubDir = "a" };
        var cat = OutputPlan.For(Hash, "cat", SourceFormat.Png, spec);
        var dog = OutputPlan.For(Hash, "dog", SourceFormat.Png, spec with { SubDir = "b", Priority = 3, CompletionCallback = "https://example.test/" });
        Assert.Equal(cat.Select(o => o.Fingerprint), dog.Select(o => o.Fingerprint));
        Assert.Equal(fingerprint, cat[0].Fingerprint);
        Assert.Equal(OutputFingerprint.Of(Hash, copy), cat[1].Fingerprint);
    }

    [Fact]
    public void A_plan_stored_before_fingerprints_gets_the_same_ones_it_would_be_planned_with()
    {
        var spec = new JobSpec { Formats = [new FormatRequest(OutputFormat.Jpg, 95, null, [new BoxSize(64, 64, FitMode.Cover)])], KeepOriginal = true };
        var planned = OutputPlan.For(Hash, "cat", SourceFormat.Jpeg, spec);
        var stored = planned.Select(o => o with { Fingerprint = "" }).ToList();

        Assert.Equal(planned, OutputPlan.WithFingerprints(Hash, stored));
        Assert.Same(planned, OutputPlan.WithFingerprints(Hash, planned));
    }
}
