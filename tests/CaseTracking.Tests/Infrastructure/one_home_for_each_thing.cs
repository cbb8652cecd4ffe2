using System.Text.RegularExpressions;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>What a merge or a copy leaves behind, checked over the repository's own text files.</summary>
public sealed partial class one_home_for_each_thing
{
    private static readonly string[] Skipped = [".git", "bin", "obj", "node_modules", "artifacts", "lib", ".data"];
    private static readonly string[] TextFiles = [".cs", ".cshtml", ".md", ".resx", ".json", ".props", ".csproj", ".sln", ".js", ".css", ".sh", ".snap", ""];

    private static IEnumerable<string> Files(DirectoryInfo dir)
    {
        foreach (var file in dir.EnumerateFiles().Where(f => TextFiles.Contains(f.Extension))) yield return file.FullName;
        foreach (var sub in dir.EnumerateDirectories().Where(d => !Skipped.Contains(d.Name)))
            foreach (var file in Files(sub)) yield return file;
    }

    [GeneratedRegex("^(<{7}|>{7})( |$)", RegexOptions.Multiline)]
    private static partial Regex ConflictMarker();

    [Fact]
    public void no_file_holds_a_merge_conflict_marker()
    {
        var files = Files(new DirectoryInfo(Repository.Root)).ToList();
        files.ShouldContain(f => f.EndsWith("ops/lib.sh", StringComparison.Ordinal), "the scan reaches the ops scripts");
        files.Where(f => ConflictMarker().IsMatch(File.ReadAllText(f))).Select(f => Path.GetRelativePath(Repository.Root, f)).ShouldBeEmpty();
    }

    /// <summary>Ports, the app's path and the psql call are defined in ops/lib.sh; the scripts use its names.</summary>
    [Fact]
    public void the_ops_scripts_take_ports_paths_and_psql_from_lib_sh()
    {
        var ops = Path.Combine(Repository.Root, "ops");
        foreach (var script in Directory.EnumerateFiles(ops).Where(f => Path.GetFileName(f) != "lib.sh"))
        {
            var text = File.ReadAllText(script);
            var name = Path.GetFileName(script);
            text.ShouldNotContain("5543", customMessage: $"{name} names a port");
            text.ShouldNotContain("bin/Release/net10.0/CaseTracking.dll", customMessage: $"{name} names the app's DLL");
            Regex.IsMatch(text, @"runuser -u postgres -- (psql|pg_dump|pg_restore)").ShouldBeFalse($"{name} calls a PostgreSQL client itself");
        }
    }
}
