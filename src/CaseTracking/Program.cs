using CaseTracking.Hosting;
using JasperFx;

var builder = WebApplication.CreateBuilder(args);
// A rebuild is a batch job an operator runs in a process of its own: larger statistics pages (fewer row writes per
// event) at the cost of memory. A serving node keeps the smaller default (StatisticsSettings, docs/performance.md).
if (args is ["rebuild", ..] && builder.Configuration["CaseTracking:Statistics:BatchSize"] is null)
    builder.Configuration["CaseTracking:Statistics:BatchSize"] = CaseTracking.Statistics.StatisticsSettings.RebuildBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
builder.AddCaseTracking();

var app = builder.Build();
app.UseCaseTracking();

// Serving (no verb, or `run`) starts the web host directly: the JasperFx command line would first list on the console
// every assembly it searches for verbs.
if (args.Length == 0 || args[0] == "run")
{
    await app.RunAsync();
    return 0;
}

// JasperFx command line: `db-apply`, `seed`, `rebuild`, `verify`, `export`, `seal`, `codegen`...
return await app.RunJasperFxCommands(args);

public partial class Program;
