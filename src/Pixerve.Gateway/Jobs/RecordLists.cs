using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Pixerve.GrainInterfaces.Records;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// Pages through the per-day job indexes, newest first. The cleanup grain names the days that have an index, so a
/// page asks only those: the one its cursor is in first, then older ones a few at a time in parallel, each for at most
/// what the page still lacks. A page that fits in one day is two grain calls. The cursor is
/// <c>{day}.{ticks}.{job id}</c>, the last entry given out: the next page starts strictly after it, so pages stay
/// stable while new jobs land and when jobs leave a day (a retried failure).
/// </summary>
public sealed partial class RecordLists(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<RetentionOptions> retention)
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    /// <summary>Older days asked at once once the first is used up: few calls in flight, little fetched beyond the page.</summary>
    private const int DaysAtOnce = 4;

    public async Task<Results<Ok<RecordPage>, ProblemHttpResult>> PageAsync(IndexKind kind, int? limit, string? cursor)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"limit must be from 1 to {MaxLimit}");

        string? fromDay = null;
        IndexPosition? after = null;
        if (cursor is not null)
        {
            var match = Cursor().Match(cursor);
            if (!match.Success || !DateOnly.TryParseExact(match.Groups[1].Value, JobIndexDays.Format, out _)
                || !long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks)
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "cursor is not one this server gave out");
            fromDay = match.Groups[1].Value;
            after = new IndexPosition(new DateTimeOffset(ticks, TimeSpan.Zero), match.Groups[3].Value);
        }

        // Records older than the retention are gone; a day or two of slack covers a cleanup not yet run.
        var oldest = JobIndexDays.Key(DateTimeOffset.UtcNow.AddDays(-retention.Value.Days - 2));
        var days = (await grains.GetGrain<ICleanupGrain>(0).Days())
            .Where(d => string.CompareOrdinal(d, oldest) >= 0 && (fromDay is null || string.CompareOrdinal(d, fromDay) <= 0))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .ToList();

        var items = new List<RecordListItem>(size);
        for (var next = 0; next < days.Count;)
        {
            var wave = days.Skip(next).Take(next == 0 ? 1 : DaysAtOnce).ToList();
            var wanted = size - items.Count;
            var pages = await Task.WhenAll(wave.Select(day =>
                grains.GetGrain<IJobIndexGrain>(day).Page(kind, day == fromDay ? after : null, wanted)));
            next += wave.Count;
            for (var i = 0; i < wave.Count; i++)
            {
                var page = pages[i];
                var take = Math.Min(size - items.Count, page.Entries.Count);
                items.AddRange(page.Entries.Take(take).Select(RecordListItem.From));
                if (items.Count < size) continue;
                var more = take < page.Entries.Count || page.More || next - wave.Count + i + 1 < days.Count;
                var last = page.Entries[take - 1];
                return TypedResults.Ok(new RecordPage(items, more ? $"{wave[i]}.{last.Timestamp.UtcTicks}.{last.JobId}" : null));
            }
        }

        return TypedResults.Ok(new RecordPage(items, null));
    }

    [GeneratedRegex(@"\A(\d{4}-\d{2}-\d{2})\.(\d{1,19})\.([0-9a-f]{64})\z")]
    private static partial Regex Cursor();
}
