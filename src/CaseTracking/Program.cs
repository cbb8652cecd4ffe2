using System.Runtime;
using CaseTracking.Access;
using CaseTracking.Hosting;
using JasperFx;

var builder = WebApplication.CreateBuilder(args);
// Serving (no verb, or `run`) starts the web host directly: the JasperFx command line would first list on the console
// every assembly it searches for verbs.
var serving = args.Length == 0 || args[0] == "run";
if (serving && builder.Configuration.GetValue("CaseTracking:StartupProfile", true))
{
    // Multi-core JIT (docs/performance.md, issue 14): the methods compiled during the last start are recorded in the
    // data folder and compiled ahead on a background thread at the next, while the main thread starts the host.
    var folder = DataFolder.Of(builder.Configuration);
    Directory.CreateDirectory(folder);
    ProfileOptimization.SetProfileRoot(folder);
    ProfileOptimization.StartProfile("startup.jitprofile");
}

builder.AddCaseTracking();

var app = builder.Build();
app.UseCaseTracking();

if (serving)
{
    await app.RunAsync();
    return 0;
}

// JasperFx command line: `db-apply`, `seed`, `rebuild`, `verify`, `export`, `seal`, `codegen`...
return await app.RunJasperFxCommands(args);

public partial class Program;
