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

    /// <summary>
    /// Control characters are judged in one place (Infrastructure.Text: single-line and multi-line text); a second
    /// check beside it drifts (one allowed tab and line feed, the other not; one missed C1).
    /// </summary>
    [Fact]
    public void control_characters_are_judged_in_one_place()
    {
        var src = Path.Combine(Repository.Root, "src");
        var homes = Files(new DirectoryInfo(src)).Where(f => f.EndsWith(".cs", StringComparison.Ordinal) && !f.Contains("Generated", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"char\.IsControl|IsPlainText|HasControlCharacters|'\\u007f'"))
            .Select(f => Path.GetRelativePath(Repository.Root, f)).ToList();
        homes.ShouldBe(["src/CaseTracking/Infrastructure/Hardening.cs"]);
    }

    [Theory]
    [InlineData("Nguyễn Văn An", true, true)]
    [InlineData("dòng một\r\ndòng hai\tcột", false, true)]
    [InlineData("a\0b", false, false)]
    [InlineData("a\u0007b", false, false)]
    [InlineData("a\u007fb", false, false)]
    [InlineData("a\u0085b", false, false)]   // C1 (next line): refused by both, as char.IsControl says
    [InlineData("a\u009bb", false, false)]   // C1 (control sequence introducer)
    [InlineData("", true, true)]
    public void single_line_and_multi_line_text(string value, bool singleLine, bool multiLine)
    {
        CaseTracking.Infrastructure.Text.IsSingleLine(value).ShouldBe(singleLine);
        CaseTracking.Infrastructure.Text.IsMultiLine(value).ShouldBe(multiLine);
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

    /// <summary>The second test cluster's port is named twice (lib.sh for ops/test's stop, SecondCluster for the tests); they agree.</summary>
    [Fact]
    public void the_second_test_cluster_port_agrees_with_lib_sh()
    {
        var lib = File.ReadAllText(Path.Combine(Repository.Root, "ops", "lib.sh"));
        Regex.Match(lib, @"^SECOND_TEST_PGPORT=(\d+)$", RegexOptions.Multiline).Groups[1].Value
            .ShouldBe(CaseTracking.Tests.Provinces.SecondCluster.Port);
    }
}
