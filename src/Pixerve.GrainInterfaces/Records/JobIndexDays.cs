using System.Globalization;

namespace Pixerve.GrainInterfaces.Records;

public static class JobIndexDays
{
    public const string Format = "yyyy-MM-dd";

    public static string Key(DateTimeOffset timestamp) => timestamp.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static DateOnly Parse(string key) => DateOnly.ParseExact(key, Format, CultureInfo.InvariantCulture);
}
