using CaseTracking.Imports;
using CaseTracking.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace CaseTracking.Tests.Imports;

/// <summary>
/// The file a dry run checked waits on the server for the user's confirmation, and for nothing else: one per user,
/// gone once imported, and swept when abandoned (at start-up and at each new upload).
/// </summary>
public sealed class upload_files_are_cleaned_up : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ct-uploads-test-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TestClock clock = new(DateTimeOffset.UtcNow);
    private readonly ImportUploads uploads;
    private static readonly Guid Alice = Guid.CreateVersion7(), Bob = Guid.CreateVersion7();
    private static readonly string ShaA = new('a', 64), ShaB = new('b', 64);

    public upload_files_are_cleaned_up()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CaseTracking:Imports:UploadFolder"] = folder, ["CaseTracking:Imports:KeepUploadHours"] = "24"
        }).Build();
        uploads = new ImportUploads(configuration, clock, NullLogger<ImportUploads>.Instance);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private string[] Files() => Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(Path.GetFileName).Order()!] : [];

    [Fact]
    public async Task a_checked_file_waits_for_its_user_and_is_gone_once_dropped()
    {
        await uploads.KeepAsync(Alice, ShaA, [1, 2, 3], default);
        (await uploads.ReadAsync(Alice, ShaA, default)).ShouldBe(new byte[] { 1, 2, 3 });
        (await uploads.ReadAsync(Bob, ShaA, default)).ShouldBeNull("another user's file is not theirs to confirm");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(Directory.GetFiles(folder).Single()).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        uploads.Drop(Alice, ShaA);
        Files().ShouldBeEmpty();
        (await uploads.ReadAsync(Alice, ShaA, default)).ShouldBeNull();
    }

    [Fact]
    public async Task a_new_check_replaces_the_users_waiting_file_and_leaves_others_alone()
    {
        await uploads.KeepAsync(Alice, ShaA, [1], default);
        await uploads.KeepAsync(Bob, ShaA, [2], default);
        await uploads.KeepAsync(Alice, ShaB, [3], default);
        Files().ShouldBe([$"{Alice:N}-{ShaB}.upload", $"{Bob:N}-{ShaA}.upload"], ignoreOrder: true);
    }

    [Fact]
    public async Task the_sweep_removes_files_older_than_the_limit_only()
    {
        await uploads.KeepAsync(Alice, ShaA, [1], default);
        await uploads.KeepAsync(Bob, ShaB, [2], default);
        File.SetLastWriteTimeUtc(Path.Combine(folder, $"{Alice:N}-{ShaA}.upload"), clock.GetUtcNow().UtcDateTime.AddHours(-25));

        uploads.Sweep().ShouldBe(1);
        Files().ShouldBe([$"{Bob:N}-{ShaB}.upload"]);
    }

    [Fact]
    public async Task the_sweep_runs_at_start_up()
    {
        Directory.CreateDirectory(folder);
        var orphan = Path.Combine(folder, $"{Alice:N}-{ShaA}.upload");
        await File.WriteAllBytesAsync(orphan, [9]);
        File.SetLastWriteTimeUtc(orphan, clock.GetUtcNow().UtcDateTime.AddDays(-3));

        await new ImportUploadSweep(uploads).StartAsync(default);
        Files().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("a\0")]
    public async Task a_value_that_is_not_a_sha_reads_and_removes_nothing(string sha)
    {
        await uploads.KeepAsync(Alice, ShaA, [1], default);
        (await uploads.ReadAsync(Alice, sha, default)).ShouldBeNull();
        uploads.Drop(Alice, sha);
        Files().Length.ShouldBe(1);
    }
}
