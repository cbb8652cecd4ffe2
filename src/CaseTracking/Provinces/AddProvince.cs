using System.Text.RegularExpressions;
using CaseTracking.Access;
using CaseTracking.Infrastructure;
using FluentValidation;
using Marten;
using Npgsql;
using Wolverine.Http;

namespace CaseTracking.Provinces;

/// <summary>
/// A new province with its first administrator, on the shared database or on its own (<c>database</c>, a PostgreSQL
/// connection string). The first admin gets a one-time password, as any new account does; the national administrator
/// who asks never sees inside the province afterwards.
/// </summary>
public sealed partial record AddProvince(string? Code, string? Name, string? Database, string? AdminUsername, string? AdminDisplayName)
{
    /// <summary>Tenant ids that are not provinces: Marten's default tenant and the national administrators' own.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        NationalAdmins.Tenant, "*default*", "default", "shared", "marten", "public"
    };

    [GeneratedRegex("^[a-z][a-z0-9-]{1,19}$")]
    private static partial Regex CodePattern();

    public static bool IsCode(string? code) => code is not null && CodePattern().IsMatch(code) && !Reserved.Contains(code);

    public sealed class Validator : AbstractValidator<AddProvince>
    {
        public Validator()
        {
            RuleFor(x => x.Code).NotEmpty().MaximumLength(20).Must(IsCode)
                .WithMessage(_ => Messages.Text("Province.Code"));
            RuleFor(x => x.Name).NotEmpty().MaximumLength(100).Must(Text.IsSingleLine)
                .WithMessage(_ => Messages.Text("PlainText"));
            RuleFor(x => x.Database).MaximumLength(1000).Must(d => d is null || ProvinceConnection.Parse(d) is not null)
                .WithMessage(_ => Messages.Text("Province.Database"));
            RuleFor(x => x.AdminUsername).NotEmpty().MaximumLength(64).Matches("^[a-zA-Z0-9._-]+$")
                .WithMessage(_ => Messages.Text("Username.Characters"));
            RuleFor(x => x.AdminDisplayName).MaximumLength(200).Must(Text.IsSingleLine)
                .WithMessage(_ => Messages.Text("PlainText"));
        }
    }
}

public sealed record ProvinceAdded(string Code, string Name, bool OnOwnDatabase, string AdminUsername, string OneTimePassword);

public sealed record ProvinceRow(string Code, string Name, bool OnOwnDatabase, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>A connection string as the registry takes it: it parses, and names a host and a database.</summary>
public static class ProvinceConnection
{
    public static NpgsqlConnectionStringBuilder? Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || !Text.IsSingleLine(value)) return null;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            return string.IsNullOrWhiteSpace(builder.Host) || string.IsNullOrWhiteSpace(builder.Database) ? null : builder;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Host, port and database: two connection strings with the same place are the same database.</summary>
    public static string Place(NpgsqlConnectionStringBuilder b) => $"{b.Host?.ToLowerInvariant()}:{b.Port}/{b.Database}";
}

/// <summary>The national administrators: outside every province (their tenant is no province's), never reading case content.</summary>
public static class NationalAdmins
{
    public const string Tenant = "national";
}

/// <summary>Adding a province: one function for the route, the page and the CLI verb.</summary>
public sealed class Provinces(IDocumentStore store, DatabaseSetup setup, ILogger<Provinces> logger)
{
    private ProvinceTenancy Tenancy => (ProvinceTenancy)store.Options.Tenancy;

    public Task<IReadOnlyList<ProvinceEntry>> AllAsync(CancellationToken ct) => Tenancy.Registry.AllAsync(ct);

    /// <summary>
    /// Registers the province, prepares its database (schema, hash chain, search) when it has its own, and creates its
    /// first administrator there. <paramref name="by"/> names the national administrator (or "cli").
    /// </summary>
    public async Task<Reply> AddAsync(AddProvince cmd, string by, DateTimeOffset now, CancellationToken ct)
    {
        var code = cmd.Code!;
        var username = cmd.AdminUsername!.Trim().ToLowerInvariant();
        if (await Tenancy.Registry.FindAsync(code, ct) is not null || await HasUsersAsync(code, ct))
            return Problems.Field("code", Messages.Text("Province.CodeTaken"));
        if (await LoginNames.TakenAsync(store, username, ct))
            return Problems.Field("adminUsername", Messages.Text("Province.UsernameTaken"));

        string? connection = null;
        if (cmd.Database is { } database)
        {
            var parsed = ProvinceConnection.Parse(database)!;
            if (await PlaceInUseAsync(parsed, ct)) return Problems.Field("database", Messages.Text("Province.DatabaseInUse"));
            if (await UnreachableAsync(parsed, ct) is { } why) return Problems.Field("database", Messages.Format("Province.DatabaseUnreachable", why));
            connection = parsed.ConnectionString;
        }

        if (!await Tenancy.Registry.TryAddAsync(new ProvinceEntry(code, cmd.Name!.Trim(), connection, now, by), ct))
            return Problems.Field("code", Messages.Text("Province.CodeTaken"));
        try
        {
            // The tenancy reads the registry again, so this node places the province at once.
            await Tenancy.BuildDatabases();
            if (connection is not null) await setup.PrepareAsync(await store.Storage.FindOrCreateDatabase(code), ct);
        }
        catch (PostgresException e)
        {
            // The server answered but refused (no right to create the schema, an extension missing): the caller's database.
            await Tenancy.Registry.RemoveAsync(code, ct);
            logger.LogWarning(e, "Province {Code}: its database could not be prepared; the registration was removed", code);
            return Problems.Field("database", Messages.Format("Province.DatabaseUnreachable", e.MessageText));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Lost on the way (an outage): nothing half-registered stays behind; the failure answers 503.
            await Tenancy.Registry.RemoveAsync(code, CancellationToken.None);
            throw;
        }

        var admin = new User
        {
            Id = Guid.CreateVersion7(), Username = username, DisplayName = string.IsNullOrWhiteSpace(cmd.AdminDisplayName) ? username : cmd.AdminDisplayName.Trim(),
            Role = Role.Admin, Tenant = code, Active = true, MustChangePassword = true, SecurityStamp = User.NewStamp()
        };
        var password = UserEndpoints.OneTimePassword();
        admin.PasswordHash = Logins.HashPassword(admin, password);
        if (!await LoginNames.TryReserveAsync(store, admin, ct)) return Problems.Field("adminUsername", Messages.Text("Province.UsernameTaken"));

        await using (var session = store.LightweightSession(code))
        {
            session.Insert(admin);
            session.Insert(AdminAudit.Entry(now, Guid.Empty, by, AdminAction.UserCreated, admin, null,
                $"The national administrator {by} created the province {code} with its first administrator.", alert: true));
            await session.SaveChangesAsync(ct);
        }

        logger.LogInformation("Province {Code} added by {By} ({Place}) with its first administrator {Admin}", code, by,
            connection is null ? "shared database" : "own database", username);
        return new Reply(StatusCodes.Status201Created, new ProvinceAdded(code, cmd.Name!.Trim(), connection is not null, username, password),
            $"/api/national/provinces/{code}");
    }

    private async Task<bool> HasUsersAsync(string code, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<User>().AnyAsync(u => u.Tenant == code, ct);
    }

    /// <summary>A province's own database holds that province only: not the shared one, not another province's.</summary>
    internal async Task<bool> PlaceInUseAsync(NpgsqlConnectionStringBuilder wanted, CancellationToken ct)
    {
        var place = ProvinceConnection.Place(wanted);
        var shared = new NpgsqlConnectionStringBuilder(Tenancy.Shared.DataSource.ConnectionString);
        if (ProvinceConnection.Place(shared) == place) return true;
        foreach (var province in await Tenancy.Registry.AllAsync(ct))
            if (province.ConnectionString is { } other && ProvinceConnection.Place(new NpgsqlConnectionStringBuilder(other)) == place) return true;
        return false;
    }

    /// <summary>Null when the database answers; else why not, in the server's or the network's words.</summary>
    internal static async Task<string?> UnreachableAsync(NpgsqlConnectionStringBuilder target, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Timeout = 5, Pooling = false };
        try
        {
            await using var conn = new NpgsqlConnection(probe.ConnectionString);
            await conn.OpenAsync(ct);
            return null;
        }
        catch (PostgresException e)
        {
            return e.MessageText;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or ArgumentException)
        {
            return e.Message;
        }
    }
}

/// <summary>The national administrator's routes: provinces only, nothing of their content.</summary>
public static class ProvinceEndpoints
{
    private static readonly Role[] National = [Role.NationalAdmin];

    public static readonly UseCase<AddProvince> AddingProvince = new(National, ctx =>
        ctx.Services.GetRequiredService<Provinces>().AddAsync(ctx.Command, ctx.Actor.Username, ctx.Now, ctx.Cancellation))
    {
        // The answer holds the first admin's one-time password: never stored for a replay.
        Idempotent = false
    };

    [WolverinePost("/api/national/provinces")]
    [RequestBody(typeof(AddProvince))]
    public static Task<Reply> Add(HttpContext http, Writes writes) => writes.RunAsync(http, AddingProvince);

    [WolverineGet("/api/national/provinces")]
    public static Task<IResult> List(HttpContext http, Reads reads, Provinces provinces) =>
        reads.Run(http, National, async (_, _) =>
            Results.Json((await provinces.AllAsync(http.RequestAborted))
                .Select(p => new ProvinceRow(p.Code, p.Name, p.OnOwnDatabase, p.CreatedAt, p.CreatedBy)), Json.Options));
}
