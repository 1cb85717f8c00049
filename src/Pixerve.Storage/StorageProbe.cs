using System.Text;

namespace Pixerve.Storage;

public static class StorageProbe
{
    /// <summary>The default probe: a write is what jobs do, so a write (and its delete) is what proves a credential.</summary>
    public static async Task WriteAndDeleteAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var name = $".pixerve-probe-{Guid.NewGuid():N}.txt";
        await store.PutAsync(name, Encoding.UTF8.GetBytes("pixerve credential probe\n"), "text/plain", null, cancellationToken);
        await store.DeleteAsync(name, cancellationToken);
    }
}
