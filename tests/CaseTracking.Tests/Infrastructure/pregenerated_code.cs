using System.Diagnostics;
using System.Reflection;
using Wolverine.Http;

namespace CaseTracking.Tests.Infrastructure;

/// <summary>
/// Production runs the Wolverine handlers checked in under <c>src/CaseTracking/Internal/Generated</c> (TypeLoadMode.Static,
/// no compiler). Static code that no longer matches the endpoints silently drops or misroutes them, so it must be
/// exactly what <c>codegen write</c> gives for the code as it is: regenerate with <c>ops/codegen</c>.
/// </summary>
public sealed class pregenerated_code
{
    private static readonly string CheckedIn = Path.Combine(Repository.Root, "src/CaseTracking/Internal/Generated");

    private static Dictionary<string, string> Files(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), f => File.ReadAllText(f).ReplaceLineEndings("\n"));

    [Fact]
    public async Task pregenerated_code_is_current()
    {
        var target = Directory.CreateTempSubdirectory("casetracking-codegen-");
        try
        {
            // The app as built for this test run, in Production, generating into a temporary content root. The host is
            // built, never started: no database is contacted.
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "CaseTracking.dll"), "codegen", "write",
                "--contentroot", target.FullName])
            {
                WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
                Environment = { ["ConnectionStrings__Marten"] = "Host=127.0.0.1;Database=codegen", ["ASPNETCORE_ENVIRONMENT"] = "Production" }
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            process.ExitCode.ShouldBe(0, await output + await errors);

            var fresh = Files(Path.Combine(target.FullName, "Internal/Generated"));
            var checkedIn = Files(CheckedIn);
            fresh.Count.ShouldBeGreaterThan(40, "codegen wrote the handlers");
            fresh.Keys.Order(StringComparer.Ordinal).ShouldBe(checkedIn.Keys.Order(StringComparer.Ordinal), "run ops/codegen: the generated files differ");
            fresh.Where(f => f.Value != checkedIn[f.Key]).Select(f => f.Key).ShouldBeEmpty("run ops/codegen: these generated files are stale");
        }
        finally
        {
            target.Delete(recursive: true);
        }
    }

    /// <summary>
    /// With a generated registry compiled in, Wolverine takes the endpoint classes from it instead of scanning, so a new
    /// endpoint class would be missed even by <c>codegen write</c> on the built app: the registry must name every class
    /// that declares a route.
    /// </summary>
    [Fact]
    public void the_generated_registry_names_every_endpoint_class()
    {
        var app = typeof(Program).Assembly;
        var registry = (HttpEndpointRegistry)Activator.CreateInstance(app.GetType("Internal.Generated.WolverineHandlers.GeneratedHttpEndpointRegistry", throwOnError: true)!)!;
        var declared = app.GetTypes().Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Any(m => m.GetCustomAttributes<WolverineHttpMethodAttribute>().Any())).Select(t => t.FullName).Order(StringComparer.Ordinal).ToList();
        declared.Count.ShouldBeGreaterThan(20);
        registry.EndpointTypes().Select(t => t.FullName).Order(StringComparer.Ordinal).ShouldBe(declared);
    }
}
