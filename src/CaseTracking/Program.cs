using CaseTracking.Hosting;
using JasperFx;

var builder = WebApplication.CreateBuilder(args);
builder.AddCaseTracking();

var app = builder.Build();
app.UseCaseTracking();

// JasperFx command line: `run` (default), `db-apply`, `seed`, `rebuild`, `verify`, `export`, `seal`...
return await app.RunJasperFxCommands(args);

public partial class Program;
