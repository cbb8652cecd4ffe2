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
            Id = Guid.CreateVersion7(), Username = "admin", DisplayName = "Administrator", Role = Role.Admin,
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
    public Task StartAsync(CancellationToken cancellationToken) => bootstrap.EnsureAdminAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
