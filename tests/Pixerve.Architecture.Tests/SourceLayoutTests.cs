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
