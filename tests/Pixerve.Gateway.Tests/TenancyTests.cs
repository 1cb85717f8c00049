using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pixerve.GrainInterfaces.Jobs;
using Pixerve.Testing.Fixtures;

namespace Pixerve.Gateway.Tests;

/// <summary>Many clients on one Pixerve: a job is (content, claim), and only its owner (or the admin) reaches it.</summary>
[Collection(PixerveCollection.Name)]
public sealed class TenancyTests(PixerveFixture fixture)
{
    private static object Job(string subDir, string format, int size) => new
    {
        formats = new Dictionary<string, object> { [format] = new { sizes = new[] { new[] { size } } } },
        directHost = true,
        subDir,
    };

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Two_claims_on_the_same_bytes_are_two_jobs_each_with_its_own_files_and_record()
    {
        var root = $"tenancy/{Unique()}";
        var bytes = UniqueBytes.Jpeg("va.jpg");
        var tokenA = fixture.Token(Job($"{root}/a", "jpg", 120));
        var tokenB = fixture.Token(Job($"{root}/b", "webp", 200));
        var tokenC = fixture.Token(Job($"{root}/c", "png", 50));

        // B arrives while A is still pending.
        fixture.Queue().Pause();
        JsonElement a, b;
        try
        {
            a = await UploadAsync(bytes, tokenA);
            b = await UploadAsync(bytes, tokenB);
            Assert.Equal("pending", a.GetProperty("status").GetString());
            Assert.Equal("pending", b.GetProperty("status").GetString());
        }
        finally
        {
            fixture.Queue().Resume();
        }

        var hash = a.GetProperty("hash").GetString()!;
        Assert.Equal(hash, b.GetProperty("hash").GetString());
        Assert.NotEqual(a.GetProperty("job_id").GetString(), b.GetProperty("job_id").GetString());
        Assert.Equal([$"{hash}_upload_120_120_.jpg"], Names(a.GetProperty("expected_files")));
        Assert.Equal([$"{hash}_upload_200_200_.webp"], Names(b.GetProperty("expected_files")));

        var statusA = await fixture.WaitUntilFinalAsync(hash, tokenA);
        var statusB = await fixture.WaitUntilFinalAsync(hash, tokenB);
        Assert.Equal("completed", statusA.GetProperty("status").GetString());
        Assert.Equal("completed", statusB.GetProperty("status").GetString());
        Assert.Equal(a.GetProperty("job_id").GetString(), statusA.GetProperty("job_id").GetString());
        Assert.Equal(b.GetProperty("job_id").GetString(), statusB.GetProperty("job_id").GetString());
        Assert.Equal([$"{hash}_upload_120_120_.jpg"], Directory.GetFiles(Path.Combine(fixture.ServeDir, root, "a")).Select(Path.GetFileName));
        Assert.Equal([$"{hash}_upload_200_200_.webp"], Directory.GetFiles(Path.Combine(fixture.ServeDir, root, "b")).Select(Path.GetFileName));

        var successA = await fixture.GetJsonAsync($"/success?hash={hash}", tokenA);
        var successB = await fixture.GetJsonAsync($"/success?hash={hash}", tokenB);
        Assert.Equal(a.GetProperty("job_id").GetString(), successA.GetProperty("job_id").GetString());
        Assert.Equal(b.GetProperty("job_id").GetString(), successB.GetProperty("job_id").GetString());
        Assert.Equal($"{root}/a", successA.GetProperty("job_data").GetProperty("spec").GetProperty("subDir").GetString());
        Assert.Equal($"{root}/b", successB.GetProperty("job_data").GetProperty("spec").GetProperty("subDir").GetString());

        // A third claim after both finished is a job of its own; it replaces neither record.
        var c = await UploadAsync(bytes, tokenC);
        Assert.Equal("pending", c.GetProperty("status").GetString());
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, tokenC)).GetProperty("status").GetString());
        Assert.Equal([$"{hash}_upload_50_50_.png"], Directory.GetFiles(Path.Combine(fixture.ServeDir, root, "c")).Select(Path.GetFileName));
        Assert.Equal(successA.GetRawText(), (await fixture.GetJsonAsync($"/success?hash={hash}", tokenA)).GetRawText());
        Assert.Equal(successB.GetRawText(), (await fixture.GetJsonAsync($"/success?hash={hash}", tokenB)).GetRawText());
    }

    [Fact]
    public async Task A_stranger_gets_404_as_for_an_unknown_hash_the_owner_cancels_and_the_admin_sees_every_job()
    {
        var root = $"tenancy/{Unique()}";
        var bytes = UniqueBytes.Jpeg("vb.jpg");
        var owner = fixture.Token(Job($"{root}/owner", "jpg", 100));
        var other = fixture.Token(Job($"{root}/other", "jpg", 90));
        var stranger = fixture.Token(Job($"{root}/stranger", "jpg", 80));
        var unknown = new string('e', 64);

        fixture.Queue().Pause();
        string hash, ownerJob, otherJob;
        try
        {
            var upload = await UploadAsync(bytes, owner);
            hash = upload.GetProperty("hash").GetString()!;
            ownerJob = upload.GetProperty("job_id").GetString()!;
            otherJob = (await UploadAsync(bytes, other)).GetProperty("job_id").GetString()!;

            foreach (var (method, path) in new[]
                     {
                         (HttpMethod.Get, "/status"), (HttpMethod.Get, "/success"), (HttpMethod.Get, "/failures"),
                         (HttpMethod.Get, "/events"), (HttpMethod.Delete, "/cancel"),
                     })
            {
                var theirs = await ProblemBodyAsync(method, $"{path}?hash={hash}", stranger);
                var none = await ProblemBodyAsync(method, $"{path}?hash={unknown}", stranger);
                Assert.Equal(none.Replace(unknown, hash), theirs);
                // Naming the job by its id reveals no more.
                var byId = await ProblemBodyAsync(method, $"{path}?job_id={ownerJob}", stranger);
                Assert.Equal((await ProblemBodyAsync(method, $"{path}?job_id={unknown}", stranger)).Replace(unknown, ownerJob), byId);
            }

            // The stranger's cancel did nothing; the owner's does.
            Assert.Equal("pending", (await fixture.GetJsonAsync($"/status?hash={hash}", owner)).GetProperty("status").GetString());
            using var cancel = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", owner));
            await HttpAssert.AssertOk(cancel);
            Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            Assert.Equal("pending", (await fixture.GetJsonAsync($"/status?hash={hash}", other)).GetProperty("status").GetString());
        }
        finally
        {
            fixture.Queue().Resume();
        }

        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, other)).GetProperty("status").GetString());
        var all = await fixture.GetJsonAsync($"/status?hash={hash}", PixerveFixture.AdminToken);
        Assert.Equal(hash, all.GetProperty("hash").GetString());
        var jobs = all.GetProperty("jobs").EnumerateArray().ToDictionary(j => j.GetProperty("job_id").GetString()!, j => j.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { [ownerJob] = "cancelled", [otherJob] = "completed" }, jobs);

        // The admin names one job by id, and is asked to when a hash has several.
        var one = await fixture.GetJsonAsync($"/success?job_id={otherJob}", PixerveFixture.AdminToken);
        Assert.Equal("success", one.GetProperty("status").GetString());
        using var ambiguous = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/success?hash={hash}", PixerveFixture.AdminToken));
        Assert.Equal("job_id", (await HttpAssert.AssertProblem(ambiguous, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_same_claim_from_two_subjects_is_two_jobs_and_neither_reaches_the_other()
    {
        var job = Job($"tenancy/{Unique()}", "jpg", 64);
        var alice = TestTokens.Mint(PixerveFixture.JwtSecret, job, subject: "alice");
        var bob = TestTokens.Mint(PixerveFixture.JwtSecret, job, subject: "bob");
        var bytes = UniqueBytes.Jpeg("gray.jpg");

        fixture.Queue().Pause();
        JsonElement a, b;
        try
        {
            a = await UploadAsync(bytes, alice, "alice-medical-scan.jpg");
            b = await UploadAsync(bytes, bob, "bob.jpg");
            var hash = a.GetProperty("hash").GetString()!;
            var aliceJob = a.GetProperty("job_id").GetString()!;
            Assert.Equal(hash, b.GetProperty("hash").GetString());
            Assert.NotEqual(aliceJob, b.GetProperty("job_id").GetString());
            // Bob's answer is his own job's: his name, a new pending job, nothing of Alice's.
            Assert.Equal("pending", b.GetProperty("status").GetString());
            Assert.Equal([$"{hash}_bob_64_64_.jpg"], Names(b.GetProperty("expected_files")));
            Assert.DoesNotContain("alice", b.GetRawText());

            // Bob reaches neither Alice's state nor her cancel, by hash or by her job's id.
            var bobStatus = await fixture.GetJsonAsync($"/status?hash={hash}", bob);
            Assert.Equal(b.GetProperty("job_id").GetString(), bobStatus.GetProperty("job_id").GetString());
            Assert.DoesNotContain("alice", bobStatus.GetRawText());
            await ProblemBodyAsync(HttpMethod.Get, $"/status?job_id={aliceJob}", bob);
            await ProblemBodyAsync(HttpMethod.Delete, $"/cancel?job_id={aliceJob}", bob);
            using var bobCancel = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Delete, $"/cancel?hash={hash}", bob));
            await HttpAssert.AssertOk(bobCancel);
            Assert.Equal("cancelled", (await bobCancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            var aliceStatus = await fixture.GetJsonAsync($"/status?hash={hash}", alice);
            Assert.Equal(aliceJob, aliceStatus.GetProperty("job_id").GetString());
            Assert.Equal("pending", aliceStatus.GetProperty("status").GetString());
        }
        finally
        {
            fixture.Queue().Resume();
        }

        var done = await fixture.WaitUntilFinalAsync(a.GetProperty("hash").GetString()!, alice);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task The_same_claim_from_the_same_subject_is_one_job_converted_once_and_never_reset()
    {
        var job = Job($"tenancy/{Unique()}", "webp", 64);
        var first = TestTokens.Mint(PixerveFixture.JwtSecret, job, subject: "app-one");
        // Minted later, living longer: the same subject and claim reach the same job.
        var second = TestTokens.Mint(PixerveFixture.JwtSecret, job, DateTimeOffset.UtcNow.AddMinutes(30), subject: "app-one");
        var bytes = UniqueBytes.Jpeg("gray.jpg");

        fixture.Queue().Pause();
        JsonElement a, b;
        try
        {
            a = await UploadAsync(bytes, first);
            b = await UploadAsync(bytes, second);
        }
        finally
        {
            fixture.Queue().Resume();
        }

        var hash = a.GetProperty("hash").GetString()!;
        Assert.Equal(a.GetProperty("job_id").GetString(), b.GetProperty("job_id").GetString());
        var done = await fixture.WaitUntilFinalAsync(hash, second);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(1, done.GetProperty("attempts").GetInt32());
        var record = await fixture.GetJsonAsync($"/success?hash={hash}", first);

        // Finished work uploaded again: answered with the job as it stands; nothing runs, nothing is rewritten.
        var again = await UploadAsync(bytes, first);
        Assert.Equal(a.GetProperty("job_id").GetString(), again.GetProperty("job_id").GetString());
        Assert.Equal("completed", again.GetProperty("status").GetString());
        Assert.Equal(Names(a.GetProperty("expected_files")), Names(again.GetProperty("expected_files")));
        var after = await fixture.GetJsonAsync($"/status?hash={hash}", first);
        Assert.Equal(1, after.GetProperty("attempts").GetInt32());
        Assert.Equal(done.GetProperty("finished_at").GetDateTimeOffset(), after.GetProperty("finished_at").GetDateTimeOffset());
        Assert.Equal(record.GetRawText(), (await fixture.GetJsonAsync($"/success?hash={hash}", second)).GetRawText());
    }

    [Fact]
    public async Task A_served_file_never_changes_another_claim_for_its_name_in_its_place_is_refused_409()
    {
        // Two claims for one place and name that differ in the work: what replaced a served file before.
        var subDir = $"tenancy/{Unique()}/same";
        object Claim(object settings, int priority = 0) => new
        {
            formats = new { jpg = new { settings, sizes = new[] { new[] { 200 } } } },
            directHost = true,
            subDir,
            priority,
        };
        var tokenA = fixture.Token(Claim(new { quality = 95 }));
        var tokenB = fixture.Token(Claim(new { quality = 5, fit = "fill" }));
        var bytes = UniqueBytes.Jpeg("va.jpg");

        var a = await UploadAsync(bytes, tokenA, "victim.jpg");
        var hash = a.GetProperty("hash").GetString()!;
        var name = Assert.Single(Names(a.GetProperty("expected_files")));
        Assert.Equal($"{hash}_victim_200_200_.jpg", name);
        var statusA = await fixture.WaitUntilFinalAsync(hash, tokenA);
        Assert.Equal("completed", statusA.GetProperty("status").GetString());
        var served = await ServedAsync(subDir, name);
        Assert.Equal(served.Length, statusA.GetProperty("files")[0].GetProperty("bytes").GetInt64());

        var staged = await fixture.Staging.ListAsync(CancellationToken.None);
        using (var refused = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(bytes, "victim.jpg", tokenB)))
        {
            var problem = await HttpAssert.AssertProblem(refused, HttpStatusCode.Conflict);
            Assert.Equal([name], Names(problem.GetProperty("files")));
            Assert.Contains(name, problem.GetProperty("detail").GetString());
            Assert.Contains($"subDir '{subDir}'", problem.GetProperty("detail").GetString());
        }

        // No job was made of it, its staged upload is gone, and job A's file and record are as they were.
        using (var none = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={hash}", tokenB)))
            await HttpAssert.AssertProblem(none, HttpStatusCode.NotFound);
        await fixture.AssertNothingNewStagedAsync(staged);
        Assert.Equal(served, await ServedAsync(subDir, name));
        Assert.Equal(statusA.GetRawText(), (await fixture.GetJsonAsync($"/status?hash={hash}", tokenA)).GetRawText());

        // The same claim again is the same job, answered as it stands.
        var again = await UploadAsync(bytes, tokenA, "victim.jpg");
        Assert.Equal((a.GetProperty("job_id").GetString(), "completed"), (again.GetProperty("job_id").GetString(), again.GetProperty("status").GetString()));

        // Another claim asking for the same work of that name is a job of its own, not refused: it finds its file
        // there already, keeps it, and completes with it.
        var tokenC = fixture.Token(Claim(new { quality = 95 }, priority: 3));
        var c = await UploadAsync(bytes, tokenC, "victim.jpg");
        Assert.NotEqual(a.GetProperty("job_id").GetString(), c.GetProperty("job_id").GetString());
        var statusC = await fixture.WaitUntilFinalAsync(hash, tokenC);
        Assert.Equal("completed", statusC.GetProperty("status").GetString());
        Assert.Equal(served.Length, statusC.GetProperty("files")[0].GetProperty("bytes").GetInt64());

        // Claim B's way out: another file name is another file.
        var b = await UploadAsync(bytes, tokenB, "victim-small.jpg");
        Assert.Equal("completed", (await fixture.WaitUntilFinalAsync(hash, tokenB)).GetProperty("status").GetString());
        var small = await ServedAsync(subDir, Assert.Single(Names(b.GetProperty("expected_files"))));
        Assert.True(small.Length < served.Length, $"quality 5 ({small.Length} bytes) is smaller than 95 ({served.Length})");
        Assert.Equal(served, await ServedAsync(subDir, name));
    }

    [Fact]
    public async Task In_a_batch_the_refused_file_is_a_409_entry_naming_its_files()
    {
        var subDir = $"tenancy/{Unique()}";
        var bytes = UniqueBytes.Jpeg("vb.jpg");
        var first = fixture.Token(new { formats = new { png = new { sizes = new[] { new[] { 30 } } } }, directHost = true, subDir });
        var second = fixture.Token(new { formats = new { png = new { settings = new { speed = 9 }, sizes = new[] { new[] { 30 } } } }, directHost = true, subDir });
        var name = Assert.Single(Names((await UploadAsync(bytes, first, "a.jpg")).GetProperty("expected_files")));

        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(bytes), "file", "a.jpg" },
            { new ByteArrayContent(bytes), "file", "b.jpg" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = form };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", second);
        using var response = await fixture.Http.SendAsync(request);
        await HttpAssert.AssertOk(response);
        var jobs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs");

        var error = jobs[0].GetProperty("error");
        Assert.Equal(409, error.GetProperty("status").GetInt32());
        Assert.Equal([name], Names(error.GetProperty("files")));
        Assert.Equal("pending", jobs[1].GetProperty("status").GetString());
    }

    [Fact]
    public void Job_id_is_the_sha256_of_hash_sub_and_the_claim_in_canonical_json_each_on_its_own_line()
    {
        var hash = new string('a', 64);
        const string claim = """{ "subDir" : "x\ny", "formats": {"webp": {"sizes": [[200]], "settings": {"quality": 80.50}}, "jpg": {}}, "directHost": true }""";
        const string canonical = """{"directHost":true,"formats":{"jpg":{},"webp":{"settings":{"quality":80.50},"sizes":[[200]]}},"subDir":"x\ny"}""";
        Assert.Equal(canonical, JobIdentity.Canonicalize(claim));
        var expected = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hash + "\nuser-42\n" + canonical)));
        Assert.Equal(expected, JobIdentity.Compute(hash, "user-42", claim));
        // Key order and white space do not make another job; another value or another subject does.
        Assert.Equal(expected, JobIdentity.Compute(hash, "user-42", JsonNode.Parse(claim)!.ToJsonString()));
        Assert.NotEqual(expected, JobIdentity.Compute(hash, "user-42", claim.Replace("80.50", "80.5")));
        Assert.NotEqual(expected, JobIdentity.Compute(hash, "user-43", claim));
        Assert.NotEqual(expected, JobIdentity.Compute(hash, "", claim));
    }

    public static TheoryData<string, string> UnpairedSurrogates() => new()
    {
        { "a lone high surrogate in a value", """{"formats":{"jpg":{"sizes":[[10]]}},"directHost":true,"note":"\ud800"}""" },
        { "a lone low surrogate in a key", """{"formats":{"jpg":{"sizes":[[10]]}},"directHost":true,"\udc00k":1}""" },
        { "a reversed pair in subDir", """{"formats":{"jpg":{"sizes":[[10]]}},"directHost":true,"subDir":"\udc00\ud800"}""" },
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogates))]
    public async Task A_claim_with_an_unpaired_surrogate_is_400_on_every_endpoint_and_nothing_is_staged(string why, string claim)
    {
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var token = TestTokens.MintPayload(PixerveFixture.JwtSecret, $$"""{"sub":"s","exp":{{exp}},"job":{{claim}}}""");
        var before = await fixture.Staging.ListAsync(CancellationToken.None);

        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("vb.jpg"), "x.jpg", token));
        var refused = await HttpAssert.AssertProblem(upload, HttpStatusCode.BadRequest);
        Assert.True(refused.GetRawText().Contains("unpaired", StringComparison.Ordinal), why);
        using var form = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("vb.jpg"), "x.jpg", bearer: null, formToken: token));
        await HttpAssert.AssertProblem(form, HttpStatusCode.BadRequest);
        await fixture.AssertNothingNewStagedAsync(before);

        var hash = new string('d', 64);
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "/status"), (HttpMethod.Get, "/success"), (HttpMethod.Get, "/failures"),
                     (HttpMethod.Get, "/events"), (HttpMethod.Delete, "/cancel"),
                 })
        {
            using var response = await fixture.Http.SendAsync(fixture.Request(method, $"{path}?hash={hash}", token));
            var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest);
            Assert.Equal("job", problem.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task A_sub_with_an_unpaired_surrogate_is_refused_without_a_500_and_nothing_is_staged()
    {
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var token = TestTokens.MintPayload(PixerveFixture.JwtSecret,
            $$$"""{"sub":"\ud800","exp":{{{exp}}},"job":{"formats":{"jpg":{"sizes":[[10]]}},"directHost":true}}""");
        var before = await fixture.Staging.ListAsync(CancellationToken.None);
        using var upload = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(UniqueBytes.Jpeg("vb.jpg"), "x.jpg", token));
        Assert.True(upload.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{upload.StatusCode}");
        await HttpAssert.AssertProblem(upload, upload.StatusCode);
        await fixture.AssertNothingNewStagedAsync(before);
        using var status = await fixture.Http.SendAsync(fixture.Request(HttpMethod.Get, $"/status?hash={new string('d', 64)}", token));
        Assert.True(status.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{status.StatusCode}");
        await HttpAssert.AssertProblem(status, status.StatusCode);
    }

    private async Task<JsonElement> UploadAsync(byte[] bytes, string token, string fileName = "upload.jpg")
    {
        using var response = await fixture.Http.SendAsync(PixerveFixture.UploadBytes(bytes, fileName, token));
        await HttpAssert.AssertOk(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<byte[]> ServedAsync(string subDir, string name)
    {
        using var response = await fixture.Http.GetAsync($"/files/{subDir}/{name}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>A 404's body without its per-request trace id.</summary>
    private async Task<string> ProblemBodyAsync(HttpMethod method, string path, string token)
    {
        using var response = await fixture.Http.SendAsync(fixture.Request(method, path, token));
        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound);
        var body = JsonNode.Parse(problem.GetRawText())!.AsObject();
        body.Remove("trace_id");
        return body.ToJsonString();
    }

    private static List<string> Names(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
