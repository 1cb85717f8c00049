namespace Pixerve.Storage.Tests.Fakes;

/// <summary>A backend whose writes do what the test says: <see cref="Next"/> gets the call's number (from 1) and token.</summary>
public sealed class ScriptedStore : IObjectStore
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Func<int, CancellationToken, Task<string>> Next { get; set; } = (_, _) => Task.FromResult("stored");

    public async Task<StoredObject> PutAsync(string relativePath, ReadOnlyMemory<byte> bytes, string contentType, string? fingerprint,
        CancellationToken cancellationToken) =>
        new(await Next(Interlocked.Increment(ref _calls), cancellationToken), bytes.Length, Existed: false);

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>IOExceptions stand for network trouble; anything else for a refusal.</summary>
    public bool IsTransient(Exception error) => error is IOException;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static Task<string> Fail(Exception error) => Task.FromException<string>(error);
}
