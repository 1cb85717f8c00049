using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Pixerve.GrainInterfaces.Records;
using Pixerve.ServiceDefaults;

namespace Pixerve.Gateway.Jobs;

/// <summary>
/// Pages through the per-day job indexes, newest day first. The cursor is <c>{day}.{offset}</c>: where the
/// next page starts, so pages stay stable while new jobs land on later days.
/// </summary>
public sealed partial class RecordLists(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<RetentionOptions> retention)
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    public async Task<Results<Ok<RecordPage>, ProblemHttpResult>> PageAsync(IndexKind kind, int? limit, string? cursor)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"limit must be from 1 to {MaxLimit}");

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (day, offset) = (today, 0);
        if (cursor is not null)
        {
            var match = Cursor().Match(cursor);
            if (!match.Success || !DateOnly.TryParseExact(match.Groups[1].Value, JobIndexDays.Format, out day))
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "cursor is not one this server gave out");
            offset = int.Parse(match.Groups[2].Value);
        }

        // Records older than the retention are gone; a day or two of slack covers a cleanup not yet run.
        var oldest = today.AddDays(-retention.Value.Days - 2);
        var items = new List<RecordListItem>(size);
        for (; day >= oldest; day = day.AddDays(-1), offset = 0)
        {
            var key = day.ToString(JobIndexDays.Format);
            var entries = await grains.GetGrain<IJobIndexGrain>(key).List(kind);
            var take = Math.Min(size - items.Count, Math.Max(0, entries.Count - offset));
            items.AddRange(entries.Skip(offset).Take(take).Select(RecordListItem.From));
            if (items.Count == size)
            {
                var next = offset + take < entries.Count ? $"{key}.{offset + take}" : day > oldest ? $"{day.AddDays(-1):yyyy-MM-dd}.0" : null;
                return TypedResults.Ok(new RecordPage(items, next));
            }
        }

        return TypedResults.Ok(new RecordPage(items, null));
    }

    [GeneratedRegex(@"\A(\d{4}-\d{2}-\d{2})\.(\d{1,6})\z")]
    private static partial Regex Cursor();
}
