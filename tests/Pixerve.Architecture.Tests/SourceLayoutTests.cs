using System.Text.RegularExpressions;

namespace Pixerve.Architecture.Tests;

/// <summary>Where a type lives is where its file is, and the source speaks only of what the repository holds.</summary>
public partial class SourceLayoutTests
{
    [Fact]
    public void Every_namespace_is_its_project_and_folders()
    {
        var wrong = new List<string>();
        foreach (var file in Repository.SourceFiles())
        {
            var match = FileScopedNamespace().Match(File.ReadAllText(Path.Combine(Repository.Root, file)));
            if (!match.Success) continue; // top-level statements (a Program.cs) declare none
            var parts = file.Split('/');
            var expected = string.Join('.', parts[1..^1]);
            if (match.Groups[1].Value != expected) wrong.Add($"{file}: namespace {match.Groups[1].Value}, expected {expected}");
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    /// <summary>
    /// Staging is reached through <c>IStagingStore</c>: the Azure SDK's blob client is named only by the Azure staging
    /// provider and by the hosts' registrations (which build its client, and the silo's grain storage), never by a caller.
    /// </summary>
    [Fact]
    public void Only_the_azure_staging_provider_and_the_hosts_registrations_name_the_blob_client()
    {
        string[] allowed =
        [
            "src/Pixerve.Staging.AzureBlob/",
            "src/Pixerve.Gateway/Hosting/GatewayServiceExtensions.cs",
            "src/Pixerve.Grains/GrainServices.cs",
            "src/Pixerve.Silo/Hosting/PixerveSiloBuilderExtensions.cs",
        ];
        var naming = Repository.SourceFiles()
            .Where(file => file.StartsWith("src/", StringComparison.Ordinal) && !allowed.Any(a => file.StartsWith(a, StringComparison.Ordinal)))
            .Where(file => File.ReadAllText(Path.Combine(Repository.Root, file)).Contains("Azure.Storage.Blobs", StringComparison.Ordinal))
            .ToList();
        Assert.True(naming.Count == 0, $"these reach the staging blobs without IStagingStore: {string.Join(", ", naming)}");
    }

    [Fact]
    public void A_document_a_comment_names_is_in_the_repository()
    {
        var dangling = new List<string>();
        foreach (var file in Repository.SourceFiles())
        {
            var text = File.ReadAllText(Path.Combine(Repository.Root, file));
            foreach (Match mention in MarkdownMention().Matches(text))
            {
                var name = Path.GetFileName(mention.Value);
                var exists = Directory.EnumerateFiles(Repository.Root, name, SearchOption.AllDirectories)
                    .Any(path => !path.Contains("node_modules", StringComparison.Ordinal));
                if (!exists) dangling.Add($"{file}: {mention.Value}");
            }
        }
        Assert.True(dangling.Count == 0, "comments name documents the repository does not have:" + Environment.NewLine +
            string.Join(Environment.NewLine, dangling.Distinct()));
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex(@"[\w./-]*\b[A-Za-z][\w-]*\.md\b")]
    private static partial Regex MarkdownMention();
}
