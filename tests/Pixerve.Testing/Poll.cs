namespace Pixerve.Testing;

/// <summary>Waits for a condition with a deadline, instead of sleeping a guessed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        await UntilAsync(() => Task.FromResult(condition()), timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting {timeout.TotalSeconds:F0} s for {what}");
            await Task.Delay(100);
        }
    }
}
