using Amazon.S3.Model;

namespace Pixerve.Staging.S3;

/// <summary>The key ring as objects <c>{prefix}keys/data-protection/{name}.xml</c>, beside (never among) the staged objects.</summary>
internal sealed class S3KeyRingFolder(S3StagingStore store, string folder) : IKeyRingFolder
{
    // The key ring's interface is synchronous; it is called at start and when keys roll, off the grain scheduler.
    public IReadOnlyList<string> ReadAll() => ReadAllAsync().GetAwaiter().GetResult();

    public void Store(string name, string content) =>
        S3StagingStore.Call(() => store.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = store.Bucket,
            Key = $"{folder}{name}.xml",
            ContentBody = content,
            ContentType = "application/xml",
            UseChunkEncoding = false,
        })).GetAwaiter().GetResult();

    private async Task<IReadOnlyList<string>> ReadAllAsync()
    {
        var elements = new List<string>();
        await foreach (var item in store.ListUnderAsync(folder, CancellationToken.None))
        {
            using var response = await S3StagingStore.Call(() => store.Client.GetObjectAsync(store.Bucket, item.Key));
            using var reader = new StreamReader(response.ResponseStream);
            elements.Add(await reader.ReadToEndAsync());
        }

        return elements;
    }
}
