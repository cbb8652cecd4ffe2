using System.Globalization;
using CaseTracking.Access;
using CaseTracking.Cases;
using CaseTracking.Infrastructure;
using CaseTracking.Reports;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Wolverine.Http;

namespace CaseTracking.Imports;

public static class ImportEndpoints
{
    public static readonly Role[] Importers = [Role.Admin, Role.Supervisor];

    [WolverineGet("/api/imports/template.xlsx")]
    public static Task<IResult> TemplateXlsx(HttpContext http, Reads reads) =>
        reads.Run(http, Importers, (_, _) => Task.FromResult(Spreadsheets.File(ImportTemplate.Xlsx(), Spreadsheets.XlsxType,
            Spreadsheets.FileName(ImportColumns.Text("Import.FileName.Template")) + ".xlsx")));

    [WolverineGet("/api/imports/template.csv")]
    public static Task<IResult> TemplateCsv(HttpContext http, Reads reads) =>
        reads.Run(http, Importers, (_, _) => Task.FromResult(Spreadsheets.File(ImportTemplate.Csv(), Spreadsheets.CsvType,
            Spreadsheets.FileName(ImportColumns.Text("Import.FileName.Template")) + ".csv")));

    /// <summary>
    /// A multipart upload (field <c>file</c>), a dry run unless <c>dryRun=false</c> is given (query or form field):
    /// 200 with the report; a file that cannot be read at all is 400/413/415 with its code, and nothing is written.
    /// </summary>
    [WolverinePost("/api/imports")]
    public static async Task<IResult> Post(bool? dryRun, HttpContext http, ActorResolver actors, Importer importer)
    {
        var actor = await actors.CurrentAsync(http);
        if (actor is null) return Problems.Problem(401, "Not signed in.", "Sign in first.", "auth.required");
        if (!Importers.Contains(actor.Role)) return Problems.Forbidden($"A {actor.Role} may not import.");

        var (upload, refusal) = await UploadAsync(http);
        if (refusal is not null) return refusal;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var dry = dryRun ?? true;
        if (form.TryGetValue("dryRun", out var field) && field.Count > 0)
        {
            if (!bool.TryParse(field[0], out var parsed)) return Problems.Field("dryRun", "'dryRun' must be true or false.");
            dry = parsed;
        }

        try
        {
            var report = await importer.RunAsync(actor, upload!.Value.Content, upload.Value.Name, dry, null, http.RequestAborted);
            return Results.Json(report, Json.Options);
        }
        catch (ImportFileException e)
        {
            return Problems.Problem(e.Status, ImportColumns.Text("Import.Refused"), e.Message, e.Code);
        }
    }

    /// <summary>The uploaded file's bytes and name, or the answer that refuses it.</summary>
    public static async Task<((byte[] Content, string Name)? Upload, Reply? Refusal)> UploadAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
            return (null, Problems.Problem(StatusCodes.Status415UnsupportedMediaType, ImportColumns.Text("Import.Refused"),
                ImportColumns.Text("Import.Code.import.multipart-required"), "import.multipart-required"));
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, UploadLimits.Unreadable());
        }

        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null || file.Length == 0) return (null, Problems.Field("file", ImportColumns.Text("Import.Code.import.empty-file")));
        if (file.Length > ImportsModule.MaxUploadBytes) return (null, UploadLimits.TooLarge());
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, http.RequestAborted);
        var name = Path.GetFileName(file.FileName ?? "");
        return ((buffer.ToArray(), name.Length > 200 ? name[..200] : name), null);
    }

    /// <summary>The caseload of a ward (or the province) in the template's shape: the other end of the round trip.</summary>
    [WolverineGet("/api/imports/export.xlsx")]
    public static Task<IResult> ExportXlsx(Guid? wardId, HttpContext http, Reads reads, CaseClock clock) =>
        reads.Run(http, [Role.Supervisor, Role.Auditor], async (actor, session) =>
        {
            if (await ScopeAsync(actor, session, wardId, http.RequestAborted) is { } refusal) return refusal;
            var export = await ImportTemplate.ExportAsync(session, actor, wardId, http.RequestAborted);
            return Spreadsheets.File(Spreadsheets.Xlsx(export.All), Spreadsheets.XlsxType,
                await ExportNameAsync(session, wardId, clock, http.RequestAborted) + ".xlsx");
        });

    [WolverineGet("/api/imports/export.csv")]
    public static Task<IResult> ExportCsv(Guid? wardId, HttpContext http, Reads reads, CaseClock clock) =>
        reads.Run(http, [Role.Supervisor, Role.Auditor], async (actor, session) =>
        {
            if (await ScopeAsync(actor, session, wardId, http.RequestAborted) is { } refusal) return refusal;
            var export = await ImportTemplate.ExportAsync(session, actor, wardId, http.RequestAborted);
            return Spreadsheets.File(Spreadsheets.Csv(export.Cases), Spreadsheets.CsvType, await ExportNameAsync(session, wardId, clock, http.RequestAborted) + ".csv");
        });

    private static async Task<IResult?> ScopeAsync(Actor actor, Marten.IQuerySession session, Guid? wardId, CancellationToken ct)
    {
        if (wardId is not { } w) return null;
        var ward = await session.LoadAsync<Ward>(w, ct);
        return ward is null || (actor.Role == Role.Supervisor && !actor.WardIds.Contains(w)) ? Problems.NotFound("ward") : null;
    }

    private static async Task<string> ExportNameAsync(Marten.IQuerySession session, Guid? wardId, CaseClock clock, CancellationToken ct)
    {
        var ward = wardId is { } w ? await session.LoadAsync<Ward>(w, ct) : null;
        return Spreadsheets.FileName(ImportColumns.Text("Import.FileName.Export"), ward?.Code ?? ImportColumns.Text("Report.Province"),
            clock.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    public static IServiceCollection AddImports(this IServiceCollection services)
    {
        services.AddSingleton<Importer>();
        services.AddSingleton<ImportUploads>();
        services.AddHostedService<ImportUploadSweep>();
        services.Configure<OpenApiOptions>("v1", o => o.AddOperationTransformer<ImportUploadDocs>());
        return services;
    }
}

/// <summary>
/// The upload reads its multipart body itself (to answer 415/413 in its own words), which hides the body from the
/// OpenAPI generator: this puts the form (file, dryRun) back into the document.
/// </summary>
public sealed class ImportUploadDocs : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.HttpMethod != "POST" || context.Description.RelativePath?.Trim('/') != "api/imports") return Task.CompletedTask;
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = $"The filled-in template (XLSX or CSV), at most {ImportsModule.MaxUploadBytes / 1024 / 1024} MB.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                            ["dryRun"] = new OpenApiSchema { Type = JsonSchemaType.Boolean }
                        }
                    }
                }
            }
        };
        return Task.CompletedTask;
    }
}

/// <summary>
/// Uploads have their own limit (<see cref="ImportsModule.MaxUploadBytes"/>), larger than a JSON body's and smaller
/// than the server's default: set before <see cref="InputHygiene"/> reads the form, and answered 413 stating it.
/// </summary>
public sealed class UploadLimits(RequestDelegate next)
{
    public static bool IsUpload(HttpRequest request) =>
        request.Method == HttpMethods.Post && (request.Path.StartsWithSegments("/api/imports") || request.Path.StartsWithSegments("/imports"));

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (IsUpload(request) && request.HasFormContentType)
        {
            if (request.ContentLength > ImportsModule.MaxUploadBytes)
            {
                await Refuse(http);
                return;
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = ImportsModule.MaxUploadBytes;
            http.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
            {
                MultipartBodyLengthLimit = ImportsModule.MaxUploadBytes, ValueCountLimit = 100, KeyLengthLimit = 200
            }));
            try
            {
                await request.ReadFormAsync(http.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await Refuse(http);
                return;
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
            {
                // A broken multipart body, or one over the limit sent without a length: either way nothing is read.
                await Unreadable().ExecuteAsync(http);
                return;
            }
        }

        await next(http);
    }

    public static Reply TooLarge() => Problems.Problem(StatusCodes.Status413PayloadTooLarge, ImportColumns.Text("Import.Refused"),
        ImportColumns.Format("Import.Code.import.too-large", ImportsModule.MaxUploadBytes / 1024 / 1024), "import.too-large");

    public static Reply Unreadable() => Problems.Problem(StatusCodes.Status400BadRequest, ImportColumns.Text("Import.Refused"),
        ImportColumns.Format("Import.Code.import.unreadable-upload", ImportsModule.MaxUploadBytes / 1024 / 1024), "import.unreadable-upload");

    private static Task Refuse(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/api"))
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        }

        return TooLarge().ExecuteAsync(http);
    }
}
