using System.Text.RegularExpressions;

namespace CaseTracking.Imports;

/// <summary>
/// Files uploaded on the import page wait on the server between the dry run and the user's confirmation, so that the
/// import reads exactly the file that was checked. Nothing else keeps them: one waiting file per user (a new check
/// replaces the last), removed once imported or when its dry run found nothing to import, and swept when older than
/// <c>CaseTracking:Imports:KeepUploadHours</c> (default 24) at start-up and at each new upload. They hold personal
/// data (names, national ids), so an abandoned file must not stay in the temp folder for ever.
/// </summary>
public sealed partial class ImportUploads(IConfiguration configuration, TimeProvider time, ILogger<ImportUploads> logger)
{
    public string Folder { get; } = configuration["CaseTracking:Imports:UploadFolder"] is { Length: > 0 } folder
        ? folder
        : Path.Combine(Path.GetTempPath(), "casetracking-imports");

    public TimeSpan MaxAge { get; } = TimeSpan.FromHours(configuration.GetValue("CaseTracking:Imports:KeepUploadHours", 24.0));

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha();

    public static bool IsSha(string? value) => value is not null && Sha().IsMatch(value);

    // The user's own files only: the name carries their id.
    private string PathOf(Guid userId, string sha) => Path.Combine(Folder, $"{userId:N}-{sha}.upload");

    /// <summary>Keeps a checked file for the user's confirmation, in place of any file the user had waiting.</summary>
    public async Task KeepAsync(Guid userId, string sha, byte[] content, CancellationToken ct)
    {
        // Readable by the app's user only: the file holds names and national ids.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Folder);
        else Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        DropAllOf(userId);
        Sweep();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var file = new FileStream(PathOf(userId, sha), options);
        await file.WriteAsync(content, ct);
    }

    /// <summary>The file the user confirms, or null when it is no longer there (imported, replaced, swept).</summary>
    public async Task<byte[]?> ReadAsync(Guid userId, string sha, CancellationToken ct) =>
        IsSha(sha) && File.Exists(PathOf(userId, sha)) ? await File.ReadAllBytesAsync(PathOf(userId, sha), ct) : null;

    public void Drop(Guid userId, string sha)
    {
        if (IsSha(sha)) Delete(PathOf(userId, sha));
    }

    public void DropAllOf(Guid userId)
    {
        if (!Directory.Exists(Folder)) return;
        foreach (var file in Directory.EnumerateFiles(Folder, $"{userId:N}-*.upload")) Delete(file);
    }

    /// <summary>Removes the files older than <see cref="MaxAge"/>: confirmations that never came. Returns how many.</summary>
    public int Sweep()
    {
        if (!Directory.Exists(Folder)) return 0;
        var cutoff = time.GetUtcNow().UtcDateTime - MaxAge;
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(Folder, "*.upload"))
        {
            if (File.GetLastWriteTimeUtc(file) >= cutoff) continue;
            Delete(file);
            removed++;
        }

        if (removed > 0) logger.LogInformation("Removed {Count} import upload(s) older than {Hours} h from {Folder}.", removed, MaxAge.TotalHours, Folder);
        return removed;
    }

    private void Delete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException e)
        {
            // Another node or request removed or holds it: the next sweep tries again.
            logger.LogWarning("Could not remove the import upload {File}: {Message}", file, e.Message);
        }
    }
}

/// <summary>The sweep at start-up: files left by a run that stopped between a dry run and its confirmation.</summary>
public sealed class ImportUploadSweep(ImportUploads uploads) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        uploads.Sweep();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
