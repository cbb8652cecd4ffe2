using System.Security.Cryptography;
using Marten;

namespace CaseTracking.Access;

/// <summary>
/// First start with no administrator: create <c>admin</c> in the default province with the configured
/// password (<c>CaseTracking:AdminPassword</c>), else a random one printed once.
/// </summary>
public sealed class AdminBootstrap(IDocumentStore store, IConfiguration configuration, ILogger<AdminBootstrap> logger)
{
    public const string DefaultTenant = "demo";

    /// <summary>The default province in the registry (on the shared database), its first admin, and a national administrator.</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        var tenant = configuration["CaseTracking:DefaultTenant"] ?? DefaultTenant;
        var registry = ((Provinces.ProvinceTenancy)store.Options.Tenancy).Registry;
        if (await registry.FindAsync(tenant, ct) is null)
            await registry.TryAddAsync(new Provinces.ProvinceEntry(tenant, configuration["CaseTracking:DefaultTenantName"] ?? "Tỉnh mẫu",
                null, DateTimeOffset.UtcNow, "bootstrap"), ct);
        await EnsureAdminAsync(ct);
        await EnsureNationalAdminAsync(ct);
    }

    /// <summary>
    /// First start with no national administrator: <c>national</c>, with <c>CaseTracking:NationalAdminPassword</c> or a
    /// random password printed once. Outside every province (tenant <see cref="Provinces.NationalAdmins.Tenant"/>).
    /// </summary>
    public async Task<string?> EnsureNationalAdminAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.Query<User>().AnyAsync(u => u.Role == Role.NationalAdmin, ct)) return null;
        if (await Provinces.LoginNames.TakenAsync(store, "national", ct)) return null;
        var configured = configuration["CaseTracking:NationalAdminPassword"];
        var password = string.IsNullOrWhiteSpace(configured) ? RandomPassword() : configured;
        var national = new User
        {
            Id = Guid.CreateVersion7(), Username = "national", DisplayName = "Quản trị viên toàn quốc", Role = Role.NationalAdmin,
            Tenant = Provinces.NationalAdmins.Tenant, Active = true, SecurityStamp = User.NewStamp()
        };
        national.PasswordHash = Logins.HashPassword(national, password);
        session.Insert(national);
        await session.SaveChangesAsync(ct);
        if (string.IsNullOrWhiteSpace(configured))
        {
            // Printed once, on purpose: it is not stored anywhere in clear.
            Console.WriteLine($"Created national administrator 'national' with password: {password}");
            logger.LogWarning("Created national administrator 'national' with a random password, printed once on the console");
        }

        return password;
    }

    public async Task<string?> EnsureAdminAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.Query<User>().AnyAsync(u => u.Role == Role.Admin, ct)) return null;
        var configured = configuration["CaseTracking:AdminPassword"];
        var password = string.IsNullOrWhiteSpace(configured) ? RandomPassword() : configured;
        if (password.Length < 10)
            logger.LogWarning("The configured administrator password is shorter than 10 characters; change it after signing in");
        var admin = new User
        {
            Id = Guid.CreateVersion7(), Username = "admin", DisplayName = "Quản trị viên", Role = Role.Admin,
            Tenant = configuration["CaseTracking:DefaultTenant"] ?? DefaultTenant, Active = true, SecurityStamp = User.NewStamp()
        };
        admin.PasswordHash = Logins.HashPassword(admin, password);
        session.Insert(admin);
        await session.SaveChangesAsync(ct);
        if (string.IsNullOrWhiteSpace(configured))
        {
            // Printed once, on purpose: it is not stored anywhere in clear.
            Console.WriteLine($"Created administrator 'admin' with password: {password}");
            logger.LogWarning("Created administrator 'admin' with a random password, printed once on the console");
            return password;
        }

        logger.LogInformation("Created administrator 'admin' with the configured password");
        return password;
    }

    public static string RandomPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('/', 'x').Replace('+', 'y');
}

public sealed class AdminBootstrapService(AdminBootstrap bootstrap) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => bootstrap.EnsureAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
